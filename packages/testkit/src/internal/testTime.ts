import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Scheduler from "effect/Scheduler"
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

/**
 * A scheduler that counts the tasks it has run (for `run`: the fiber under test and every fiber
 * it forks schedule through it). A count that moved since the last look means some fiber ran:
 * a fiber that is not done after the settle rounds, with no sleep pending, is only deadlocked if
 * nothing ran meanwhile (a long computation yields to the scheduler every 2,048 ops, and a
 * yielding fiber is runnable, not stuck).
 */
class CountingScheduler implements Scheduler.Scheduler {
  ran = 0
  readonly executionMode: Scheduler.Scheduler["executionMode"]
  constructor(readonly parent: Scheduler.Scheduler) {
    this.executionMode = parent.executionMode
  }
  shouldYield(fiber: Fiber.Fiber<unknown, unknown>): boolean {
    return this.parent.shouldYield(fiber)
  }
  makeDispatcher(): Scheduler.SchedulerDispatcher {
    const dispatcher = this.parent.makeDispatcher()
    return {
      scheduleTask: (task, priority) =>
        dispatcher.scheduleTask(() => {
          this.ran++
          task()
        }, priority),
      flush: () => dispatcher.flush()
    }
  }
}

/** Most rounds of yields `untilQuiet` waits through while fibers keep running. */
const maxQuietRounds = 64

/**
 * A few yields, repeated while the fibers under test ran during the last round (as `progress`
 * counts them), up to `maxQuietRounds`: a chain of hand-offs longer than one round of yields —
 * a turn passed on after several drops in a row — runs to its end before the clock moves.
 */
const untilQuiet = (progress: CountingScheduler | undefined): Effect.Effect<void> =>
  progress === undefined ? yields : Effect.suspend(() => {
    let rounds = 0
    let before = progress.ran
    const round: Effect.Effect<void> = Effect.flatMap(yields, () => {
      if (progress.ran === before || ++rounds >= maxQuietRounds) return Effect.void
      before = progress.ran
      return round
    })
    return round
  })

/** Rounds of the loop in which fibers ran but the clock had no sleep to move to, before giving up. */
const maxBusyRounds = 10_000

/** @internal */
export const untilDone = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  options?: Api.TestTime.Options
): Effect.Effect<Exit.Exit<A, E>, Deadlocked | TimeLimitExceeded> => untilDoneCounting(fiber, undefined, options)

const untilDoneCounting = <A, E>(
  fiber: Fiber.Fiber<A, E>,
  progress: CountingScheduler | undefined,
  options?: Api.TestTime.Options
): Effect.Effect<Exit.Exit<A, E>, Deadlocked | TimeLimitExceeded> =>
  Effect.gen(function*() {
    let ranBefore = progress?.ran ?? 0
    let busyRounds = 0
    const limitMillis = Duration.toMillis(Duration.fromInputUnsafe(options?.limit ?? defaults.limit))
    const start = yield* currentTime
    const check = Effect.gen(function*() {
      const exit = fiber.pollUnsafe()
      const sleeps = exit !== undefined ? [] : yield* pendingSleeps
      return { exit, sleeps }
    })
    while (true) {
      // Cheap first: a few yields let woken fibers run. Only when nothing seems left to wake
      // does the thorough (and slower) settle confirm it before calling the fiber deadlocked;
      // before the clock moves, the yields go on while fibers run, so that it never moves while
      // a fiber woken a moment ago still has steps to run before it suspends.
      yield* yields
      let state = yield* check
      if (state.exit === undefined && state.sleeps.length === 0) {
        yield* settle
        state = yield* check
      } else if (state.exit === undefined) {
        yield* untilQuiet(progress)
        state = yield* check
      }
      if (state.exit !== undefined) return state.exit
      const now = yield* currentTime
      if (state.sleeps.length === 0) {
        const ran = progress?.ran ?? 0
        if (ran === ranBefore) {
          return yield* new Deadlocked({ fiber: fiberName(fiber), elapsedMillis: now - start })
        }
        // fibers ran: busy, not stuck — unless it never ends (a loop of yields)
        ranBefore = ran
        if (++busyRounds > maxBusyRounds) {
          return yield* new TimeLimitExceeded({ fiber: fiberName(fiber), limitMillis, pendingSleeps: 0 })
        }
        continue
      }
      busyRounds = 0
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
    const counting = new CountingScheduler(yield* Scheduler.Scheduler)
    const fiber = yield* Effect.forkChild(Effect.provideService(effect, Scheduler.Scheduler, counting))
    const exit = yield* untilDoneCounting(fiber, counting, options).pipe(
      Effect.tapError(() => Effect.sync(() => fiber.interruptUnsafe()))
    )
    return yield* exit
  })
