import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as TestClock from "effect/TestClock"
import type * as Api from "../TestTime.js"
import { Deadlocked, TimeLimitExceeded } from "../TestTime.js"
import { settle, yields } from "./settle.js"

/** @internal */
export const defaults = { limit: Duration.hours(1) }

const fiberName = (fiber: Fiber.Fiber<unknown, unknown>): string =>
  Fiber.isRuntimeFiber(fiber) ? `#${fiber.id().id}` : FiberId.threadName(fiber.id())

/** @internal */
export const untilDone = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  options?: Api.TestTime.Options
): Effect.Effect<Exit.Exit<A, E>, Deadlocked | TimeLimitExceeded> =>
  Effect.gen(function*() {
    const limitMillis = Duration.toMillis(options?.limit ?? defaults.limit)
    const start = yield* TestClock.currentTimeMillis
    const check = Effect.gen(function*() {
      const exit = yield* Fiber.poll(fiber)
      const sleeps = Option.isSome(exit) ? Chunk.empty<number>() : yield* TestClock.sleeps()
      return { exit, sleeps }
    })
    while (true) {
      // Cheap first: a few yields let woken fibers run. Only when nothing seems left to wake
      // does the thorough (and slower) settle confirm it before calling the fiber deadlocked.
      yield* yields
      let state = yield* check
      if (Option.isNone(state.exit) && Chunk.isEmpty(state.sleeps)) {
        yield* settle
        state = yield* check
      }
      if (Option.isSome(state.exit)) return state.exit.value
      const now = yield* TestClock.currentTimeMillis
      if (Chunk.isEmpty(state.sleeps)) {
        return yield* new Deadlocked({ fiber: fiberName(fiber), elapsedMillis: now - start })
      }
      const next = Math.min(...Chunk.toReadonlyArray(state.sleeps))
      if (next - start > limitMillis) {
        yield* TestClock.adjust(start + limitMillis - now)
        yield* settle
        const last = yield* Fiber.poll(fiber)
        if (Option.isSome(last)) return last.value
        return yield* new TimeLimitExceeded({
          fiber: fiberName(fiber),
          limitMillis,
          pendingSleeps: state.sleeps.length
        })
      }
      // `adjust` waits until every fiber is suspended, then runs every sleep up to `next` in order.
      yield* TestClock.adjust(Math.max(0, next - now))
    }
  })

/** @internal */
export const run = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options?: Api.TestTime.Options
): Effect.Effect<A, E | Deadlocked | TimeLimitExceeded, R> =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    const exit = yield* untilDone(fiber, options).pipe(
      Effect.tapError(() => Fiber.interruptFork(fiber))
    )
    return yield* exit
  })
