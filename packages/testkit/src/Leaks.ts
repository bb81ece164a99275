/**
 * Checks that a primitive is back in its initial state after a run: a snapshot of its
 * observable state (available permits, queue size, lock holder …) is taken before and after,
 * and any difference fails with `LeakDetected`, whatever way the run ended.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as internal from "./internal/leaks.js"

/**
 * The observed state after the run differs from the state before it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Semaphore } from "effect"
 * import { Leaks } from "@fiberkit/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const semaphore = yield* Semaphore.make(3)
 *   const leaky = semaphore.take(1) // takes a permit and never gives it back
 *   yield* Leaks.expectNoLeaks(leaky, semaphore.release(0))
 * }).pipe(Effect.catchTag("LeakDetected", (e) => Effect.log(`before ${e.before}, after ${e.after}`))) // 3, then 2
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LeakDetected extends Data.TaggedError("LeakDetected")<{
  readonly before: unknown
  readonly after: unknown
}> {
  override get message(): string {
    return `state not restored after the run: before ${show(this.before)}, after ${show(this.after)}`
  }
}

const show = (u: unknown): string => {
  try {
    return JSON.stringify(u) ?? String(u)
  } catch {
    return String(u)
  }
}

/**
 * Runs `run` to its end (success, failure or interruption), lets every fiber settle, and fails
 * with `LeakDetected` if `observe` reads a different state than before. On success it returns
 * the run's `Exit`, so the test can check the outcome as well. States compare with `Equal` and,
 * for plain objects and arrays, structurally.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Semaphore } from "effect"
 * import { Leaks } from "@fiberkit/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const semaphore = yield* Semaphore.make(3)
 *   const used = semaphore.withPermits(2)(Effect.fail("boom"))
 *   // `release(0)` reads the free permits; the run gave its 2 permits back
 *   yield* Leaks.expectNoLeaks(used, semaphore.release(0))
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const expectNoLeaks: {
  <S>(
    observe: Effect.Effect<S>
  ): <A, E, R>(run: Effect.Effect<A, E, R>) => Effect.Effect<Exit.Exit<A, E>, LeakDetected, R>
  <A, E, R, S>(run: Effect.Effect<A, E, R>, observe: Effect.Effect<S>): Effect.Effect<Exit.Exit<A, E>, LeakDetected, R>
} = internal.expectNoLeaks

/**
 * Lets every fiber run until it suspends (under the `TestClock`, without moving it). Use it
 * before reading a primitive's state after interrupting or releasing something.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import { Leaks } from "@fiberkit/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const fiber = yield* Effect.forkChild(Effect.never)
 *   yield* Effect.forkDetach(Fiber.interrupt(fiber))
 *   yield* Leaks.settle // the interruption has been processed
 * })
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const settle: Effect.Effect<void> = internal.settle
