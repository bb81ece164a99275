/**
 * The one hand-off mechanism every fiberkit primitive, pool, limiter and store waits with: a
 * waiter that keeps its outcome on itself, a registration that checks that outcome, and one
 * `settle` that ends it. A low-level building block for writing new primitives, next to
 * `WaitQueue` (the line the waiters stand in) and `Fifo` (a line of plain items).
 *
 * Why one mechanism: a hand-off written by hand drifts. A waiter state machine that registers
 * its fiber a step after it joined the line, and whose registration only looks for a grant,
 * strands a waiter that a shutdown failed in between — that is how a `JoinableQueue` taker once
 * waited for ever on a shut-down queue.
 *
 * @since 0.2.0
 */
import type * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as deadline from "./internal/deadline.js"
import { wake, wakesInMicrotask } from "./internal/wake.js"
import type { Node, WaitQueue } from "./WaitQueue.js"

/**
 * The `restore` of `Effect.uninterruptibleMask`: what makes the wait alone interruptible.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Handoff } from "@fiberkit/sync"
 *
 * // a helper given the `restore` of the caller's `Effect.uninterruptibleMask`
 * const awaitGrant = <A>(waiter: Handoff.Waiter<A>, restore: Handoff.Restore) => waiter.wait(restore)
 * const take = (waiter: Handoff.Waiter<string>) => Effect.uninterruptibleMask((restore) => awaitGrant(waiter, restore))
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * What `Waiter.wait` calls when a wait ends by interruption: `onLost(value)` if the waiter had
 * already been handed `value`, `onCancel()` if it left the line unserved.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Handoff, WaitQueue } from "@fiberkit/sync"
 *
 * const line = new WaitQueue.WaitQueue<Handoff.Waiter<number>>()
 * const spare: Array<number> = []
 * // a token handed to a taker interrupted before it resumed goes back on the pile
 * const hooks: Handoff.WaitHooks<number> = { onLost: (token) => spare.push(token) }
 * const take = Effect.uninterruptibleMask((restore) => {
 *   const waiter = new Handoff.Waiter<number>(line)
 *   line.push(waiter)
 *   return waiter.wait(restore, hooks)
 * })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface WaitHooks<A> {
  /** The waiter was handed `value` but its fiber was interrupted before it resumed: give it back. */
  readonly onLost?: ((value: A) => void) | undefined
  /** The waiter left its line unserved (interrupted while it waited): serve whoever is next. */
  readonly onCancel?: (() => void) | undefined
}

/**
 * A waiter in a `WaitQueue` line. Create it with its line, push it, then `wait` for it inside an
 * uninterruptible region; whoever serves it calls `grant(value)` or `settle(exit)`. A waiter
 * moved from one line to another takes its new `line` with it.
 *
 * - `settle(exit)` / `grant(value)`: ends the wait once (the first call wins and returns `true`),
 *   takes the waiter out of its line and resumes its fiber.
 * - `wait(restore, { onLost, onCancel })`: the wait, interruptible through `restore`. An
 *   interrupted waiter leaves the line (`onCancel` then serves the next one); one interrupted
 *   after it was granted gives the value back through `onLost`. Nothing handed over is lost.
 *
 * **Example**
 *
 * ```ts
 * import { Handoff, WaitQueue } from "@fiberkit/sync"
 * import { Effect, Exit, Fiber } from "effect"
 *
 * // a one-slot mailbox: a taker waits until a value is handed to it
 * const takers = new WaitQueue.WaitQueue<Handoff.Waiter<string>>()
 * const take = Effect.uninterruptibleMask((restore) => {
 *   const waiter = new Handoff.Waiter<string>(takers)
 *   takers.push(waiter)
 *   return waiter.wait(restore, { onLost: (value) => give(value) })
 * })
 * const give = (value: string): void => {
 *   const waiter = takers.first
 *   if (waiter !== undefined) waiter.grant(value)
 * }
 * const program = Effect.gen(function*() {
 *   const taker = yield* Effect.forkChild(take)
 *   yield* Effect.yieldNow
 *   give("hello")
 *   return yield* Fiber.await(taker)
 * })
 * Effect.runPromise(program).then((exit) => console.log(Exit.isSuccess(exit))) // true
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export class Waiter<A, E = never> implements Node {
  prev: Node | undefined = undefined
  next: Node | undefined = undefined
  queued = false
  outcome: Exit.Exit<A, E> | undefined = undefined
  private resume: ((effect: Effect.Effect<A, E>) => void) | undefined = undefined
  private inMicrotask = false

  /**
   * `line`: the line it stands in, that `settle` takes it out of. A waiter moved to another line
   * (a pool's waiter set aside while it cannot be served) must have it set to that one.
   */
  constructor(public line: WaitQueue<Waiter<A, E>>) {}

  get isSettled(): boolean {
    return this.outcome !== undefined
  }

  /** Ends the wait with `exit` unless it has ended already: `true` if this call ended it. */
  settle(exit: Exit.Exit<A, E>): boolean {
    if (this.outcome !== undefined) return false
    this.outcome = exit
    this.line.remove(this)
    const resume = this.resume
    if (resume !== undefined) {
      this.resume = undefined
      // Resuming here would run the woken fiber at once, inside this call: a line of N waiters
      // handed on one by one would nest N fiber runs, and whoever settles would see the waiter act
      // before its own step is over. `wake` runs it after this step; if it is interrupted
      // meanwhile, `wait` gives back what it was handed.
      wake(resume, exit, this.inMicrotask)
    }
    return true
  }

  /** `settle(Exit.succeed(value))`. */
  grant(value: A): boolean {
    return this.settle(Exit.succeed(value))
  }

  /**
   * Waits for the outcome. Must run inside the caller's uninterruptible region, whose `restore`
   * makes only the wait itself interruptible: when it returns a granted value, the caller still
   * holds it uninterruptibly and can register its release before anything else happens.
   */
  wait(restore: Restore, hooks?: WaitHooks<A>): Effect.Effect<A, E> {
    return Effect.catchCause(restore(this.registered), (cause) => this.interrupted(cause, hooks))
  }

  private readonly registered: Effect.Effect<A, E> = this.registration()

  // `Effect.callback` calls its register function with the waiting fiber's scheduler as `this`
  private registration(): Effect.Effect<A, E> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const waiter = this
    return Effect.callback<A, E>(function(resume) {
      if (waiter.outcome !== undefined) return resume(waiter.outcome)
      waiter.resume = resume
      waiter.inMicrotask = wakesInMicrotask(this)
    })
  }

  private interrupted(cause: Cause.Cause<E>, hooks: WaitHooks<A> | undefined): Effect.Effect<never, E> {
    const outcome = this.outcome
    if (outcome === undefined) {
      this.settle(Exit.failCause(cause))
      hooks?.onCancel?.()
    } else if (Exit.isSuccess(outcome)) {
      // granted, but interrupted before it resumed: what it was handed goes back
      hooks?.onLost?.(outcome.value)
    }
    return Effect.failCause(cause)
  }
}

/**
 * Decodes the duration of a timed wait: the `Duration`, or a defect
 * (`IllegalArgumentError`, its message naming `operation` and the value) for a
 * `DurationInput` that `Duration.decode` rejects (`"1e-7 seconds"`, `"NaN millis"`). Run it
 * *before* the waiter joins its line: a duration that fails later, in `withDeadline`'s timer,
 * leaves a waiter whose fiber is gone, and it takes the next thing handed on.
 *
 * **Example**
 *
 * ```ts
 * import { Handoff } from "@fiberkit/sync"
 * import { Effect, Exit } from "effect"
 *
 * Effect.runPromiseExit(Handoff.decodeDeadline("Mailbox.takeFor", "1e-7 seconds")).then((exit) =>
 *   console.log(Exit.isFailure(exit)) // true: "Mailbox.takeFor: duration must be a Duration.Input, got 1e-7 seconds"
 * )
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const decodeDeadline: (
  operation: string,
  input: Duration.Input
) => Effect.Effect<Duration.Duration> = deadline.decodeDeadline

/**
 * Runs `body` (a wait) with a deadline: after `duration`, `expire` runs — synchronously, in a
 * timer fiber — unless `body` has ended. The wait stays in the calling fiber: unlike
 * `Effect.timeout`, which runs it in a child fiber whose result is thrown away if the timer wins
 * (a lock or an item handed over in the same tick is lost with it). `expire` settles the waiter
 * (`waiter.settle(…)` returns `false` if a grant came first), so a hand-off and an expiry can
 * never both happen. Decode `duration` with `decodeDeadline` before the waiter joins its line.
 * The timer is not a child of the waiting fiber, so it keeps running when that
 * fiber is interrupted while uninterruptible (an `acquireRelease`'s acquire, a finalizer): such a
 * wait still ends after `duration`. This is how every `…For` form of fiberkit is timed.
 *
 * **Example**
 *
 * ```ts
 * import { Handoff, WaitQueue } from "@fiberkit/sync"
 * import { Effect, Exit } from "effect"
 *
 * const line = new WaitQueue.WaitQueue<Handoff.Waiter<boolean>>()
 * const takeFor = (millis: number) =>
 *   Effect.uninterruptibleMask((restore) => {
 *     const waiter = new Handoff.Waiter<boolean>(line)
 *     line.push(waiter)
 *     return Handoff.withDeadline(millis, () => waiter.settle(Exit.succeed(false)), waiter.wait(restore))
 *   })
 * Effect.runPromise(takeFor(10)).then(console.log) // false: nobody granted it in time
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const withDeadline: <A, E, R>(
  duration: Duration.Input,
  expire: () => void,
  body: Effect.Effect<A, E, R>
) => Effect.Effect<A, E, R> = deadline.withDeadline
