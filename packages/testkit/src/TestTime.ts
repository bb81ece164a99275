/**
 * Drives the `TestClock` until a fiber is done, and turns a fiber that can never finish into a
 * clear test failure instead of a test that hangs.
 *
 * After every step the helper lets all fibers run until they suspend, then looks at the fiber:
 * done → its `Exit`; suspended with a sleep pending on the `TestClock` → move the clock to the
 * earliest pending wake-up and look again; suspended with no sleep pending → nothing can ever
 * wake it, so it fails with `Deadlocked`. A fiber still running after `limit` of virtual time
 * fails with `TimeLimitExceeded`. `run` also sees whether the fibers it started ran at all since
 * the last look (it counts their scheduler tasks): a long computation with no sleep (Effect yields
 * every 2,048 ops) is busy, not deadlocked, and a loop of yields that never ends fails
 * `TimeLimitExceeded`; `untilDone`, given a fiber started elsewhere, cannot see that. Before it
 * moves the clock, `run` also lets the fibers it started run for as long as they keep running (up
 * to 512 yields), so a chain of hand-offs at one instant ends at that instant. Only for
 * `TestClock`-driven tests (`it.effect`): a fiber that waits for real I/O looks deadlocked to it.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as internal from "./internal/testTime.js"

/**
 * The fiber is suspended and nothing on the `TestClock` can wake it: a deadlock (or a wait for
 * something the test never provides).
 *
 * **Example**
 *
 * ```ts
 * import { Deferred, Effect } from "effect"
 * import { TestTime } from "@fiberkit/testkit"
 *
 * const stuck = Effect.flatMap(Deferred.make<void>(), Deferred.await) // nobody completes it
 * const program = TestTime.run(stuck).pipe(
 *   Effect.catchTag("Deadlocked", (e) => Effect.succeed(`fiber ${e.fiber} stuck after ${e.elapsedMillis} ms`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Deadlocked extends Data.TaggedError("Deadlocked")<{
  readonly fiber: string
  readonly elapsedMillis: number
}> {
  override get message(): string {
    return `fiber ${this.fiber} is suspended and nothing can wake it (no sleep pending on the TestClock ` +
      `after ${this.elapsedMillis} ms of virtual time): a deadlock`
  }
}

/**
 * The fiber was still running when `limit` of virtual time had passed.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TestTime } from "@fiberkit/testkit"
 *
 * // a poll loop that never ends: it keeps sleeping, so it is not a deadlock
 * const poll = Effect.forever(Effect.sleep("1 second"))
 * const program = TestTime.run(poll, { limit: "1 minute" }).pipe(
 *   Effect.catchTag("TimeLimitExceeded", (e) => Effect.succeed(`still running after ${e.limitMillis} ms`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeLimitExceeded extends Data.TaggedError("TimeLimitExceeded")<{
  readonly fiber: string
  readonly limitMillis: number
  readonly pendingSleeps: number
}> {
  override get message(): string {
    return `fiber ${this.fiber} was still running after ${this.limitMillis} ms of virtual time ` +
      `(${this.pendingSleeps} sleeps pending on the TestClock)`
  }
}

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TestTime } from "@fiberkit/testkit"
 *
 * // a day of virtual time for a scheduler test
 * const options: TestTime.TestTime.Options = { limit: "1 day" }
 * const program = TestTime.run(Effect.sleep("12 hours"), options)
 * ```
 *
 * @since 0.1.0
 */
export declare namespace TestTime {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Virtual time after which a fiber that is still running fails the test. Default: 1 hour. */
    readonly limit?: Duration.Input | undefined
  }
}

/**
 * The defaults of {@link TestTime.Options}.
 *
 * **Example**
 *
 * ```ts
 * import { Duration } from "effect"
 * import { TestTime } from "@fiberkit/testkit"
 *
 * Duration.toMillis(TestTime.defaults.limit) // 3_600_000: one hour of virtual time
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: { readonly limit: Duration.Input } = internal.defaults

/**
 * Advances the `TestClock` from wake-up to wake-up until `fiber` is done, and returns its exit.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TestTime } from "@fiberkit/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const fiber = yield* Effect.forkChild(Effect.sleep("10 seconds"))
 *   return yield* TestTime.untilDone(fiber) // Exit.void, after 10 s of virtual time
 * })
 * // or piped: fiber.pipe(TestTime.untilDone({ limit: "1 minute" }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const untilDone: {
  (
    options?: TestTime.Options
  ): <A, E>(fiber: Fiber.Fiber<A, E>) => Effect.Effect<Exit.Exit<A, E>, Deadlocked | TimeLimitExceeded>
  <A, E>(
    fiber: Fiber.Fiber<A, E>,
    options?: TestTime.Options
  ): Effect.Effect<Exit.Exit<A, E>, Deadlocked | TimeLimitExceeded>
} = dual((args) => Fiber.isFiber(args[0]), internal.untilDone)

/**
 * Forks `effect`, drives the `TestClock` until it is done (see {@link untilDone}) and returns
 * its result. A deadlocked or overlong fiber is interrupted and the call fails with
 * `Deadlocked` or `TimeLimitExceeded`.
 *
 * **Example**
 *
 * ```ts
 * import { Deferred, Effect } from "effect"
 * import { TestTime } from "@fiberkit/testkit"
 *
 * const stuck = Effect.gen(function*() {
 *   const never = yield* Deferred.make<void>()
 *   yield* Deferred.await(never)
 * })
 * const program = TestTime.run(stuck) // fails with Deadlocked instead of hanging
 * const piped = stuck.pipe(TestTime.run({ limit: "1 minute" })) // the same, data-last
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const run: {
  (
    options?: TestTime.Options
  ): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | Deadlocked | TimeLimitExceeded, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, options?: TestTime.Options): Effect.Effect<
    A,
    E | Deadlocked | TimeLimitExceeded,
    R
  >
} = dual((args) => Effect.isEffect(args[0]), internal.run)
