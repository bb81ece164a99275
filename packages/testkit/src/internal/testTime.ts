import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as TestClock from "effect/testing/TestClock"
import type * as Api from "../TestTime.js"
import { Deadlocked, TimeLimitExceeded } from "../TestTime.js"
import { settle, yields } from "./settle.js"

/** @internal */
export const defaults = { limit: Duration.hours(1) }

const fiberName = (fiber: Fiber.Fiber<unknown, unknown>): string => `#${fiber.id}`

/**
 * The wake-up times of the sleeps pending on the `TestClock`. Effect 4 dropped
 * `TestClock.sleeps()`; its clock keeps them in a `sleeps` field (`{ timestamp }` entries), which
 * this reads, and dies with a clear message if a later Effect changes that shape.
 */
const pendingSleeps: Effect.Effect<ReadonlyArray<number>> = TestClock.testClockWith((clock) =>
  Effect.sync(() => {
    const sleeps = (clock as unknown as { readonly sleeps?: unknown }).sleeps
    if (!Array.isArray(sleeps) || sleeps.some((entry) => typeof entry?.timestamp !== "number")) {
      throw new Error("TestTime: this Effect's TestClock keeps no `sleeps` list of { timestamp } entries")
    }
    return sleeps.map((entry: { readonly timestamp: number }) => entry.timestamp)
  })
)

const currentTime = Effect.clockWith((clock) => clock.currentTimeMillis)

/** @internal */
export const untilDone = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  options?: Api.TestTime.Options
): Effect.Effect<Exit.Exit<A, E>, Deadlocked | TimeLimitExceeded> =>
  Effect.gen(function*() {
    const limitMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.limit ?? defaults.limit))
    const start = yield* currentTime
    const check = Effect.gen(function*() {
      const exit = fiber.pollUnsafe()
      const sleeps = exit !== undefined ? [] : yield* pendingSleeps
      return { exit, sleeps }
    })
    while (true) {
      // Cheap first: a few yields let woken fibers run. Only when nothing seems left to wake
      // does the thorough (and slower) settle confirm it before calling the fiber deadlocked.
      yield* yields
      let state = yield* check
      if (state.exit === undefined && state.sleeps.length === 0) {
        yield* settle
        state = yield* check
      }
      if (state.exit !== undefined) return state.exit
      const now = yield* currentTime
      if (state.sleeps.length === 0) {
        return yield* new Deadlocked({ fiber: fiberName(fiber), elapsedMillis: now - start })
      }
      const next = Math.min(...state.sleeps)
      if (next - start > limitMillis) {
        yield* TestClock.adjust(start + limitMillis - now)
        yield* settle
        const last = fiber.pollUnsafe()
        if (last !== undefined) return last
        return yield* new TimeLimitExceeded({
          fiber: fiberName(fiber),
          limitMillis,
          pendingSleeps: state.sleeps.length
        })
      }
      // `adjust` runs every sleep up to `next` in order, each time until the fibers it woke suspend.
      yield* TestClock.adjust(Math.max(0, next - now))
    }
  })

/** @internal */
export const run = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: Api.TestTime.Options
): Effect.Effect<A, E | Deadlocked | TimeLimitExceeded, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(effect)
    const exit = yield* untilDone(fiber, options).pipe(
      Effect.tapError(() => Effect.sync(() => fiber.interruptUnsafe()))
    )
    return yield* exit
  })
