/**
 * The handle of a submitted task: Python's `concurrent.futures.Future`. Wait for its `result`,
 * look at its `exception`, `cancel` it, or register a callback for when it is done.
 *
 * `cancel` goes further than Python: a pending task never starts, and a running task is
 * interrupted (Python can only cancel a task that has not started).
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Option from "effect/Option"
import type { FutureCancelled } from "./Errors.js"
import * as internal from "./internal/future.js"

/**
 * **Example**
 *
 * ```ts
 * import { Future } from "@fiberkit/executor"
 *
 * declare const u: object
 * const isFuture = Future.TypeId in u // what `Future.isFuture` checks
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A submitted task's handle. It is an `Effect` too: `yield* future` waits for its result (as
 * `future.result` does), so futures compose with `Effect.all`, `Effect.race` and the rest.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { FiberPool } from "@fiberkit/executor"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ concurrency: 2 })
 *   const future = yield* pool.submit(Effect.succeed(21))
 *   const stop = yield* future.onDone((done) => Effect.log(`future ${done.id} is done`))
 *   yield* stop // changed my mind: no callback
 *   return (yield* future) * 2 // 42
 * }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Future<A, E = never> extends Effect.Effect<A, E | FutureCancelled> {
  readonly [TypeId]: TypeId
  /** Submission number within its executor (0, 1, 2 …). */
  readonly id: number
  /** Waits for the task; succeeds with its value, fails with its own error or `FutureCancelled`. */
  readonly result: Effect.Effect<A, E | FutureCancelled>
  /** Waits for the task; its exit, cancellation included. */
  readonly await: Effect.Effect<Exit.Exit<A, E | FutureCancelled>>
  /** Waits for the task: `None` if it succeeded, else its failure; fails `FutureCancelled` if cancelled. */
  readonly exception: Effect.Effect<Option.Option<Cause.Cause<E>>, FutureCancelled>
  /**
   * Cancels the task: a pending one never starts, a running one is interrupted, and `cancel`
   * returns once it has stopped — every `cancel` of it, the second one too. `true` if the task
   * ended cancelled; `false` if it completed: it had finished already, or it ended with an
   * outcome of its own before the interruption reached it (a failure, or a worker thread's
   * result already on its way), which the future keeps. As for any Effect fiber, work that is
   * uninterruptible and then ends with the interruption pending ends interrupted: cancelled.
   */
  readonly cancel: Effect.Effect<boolean>
  /** Whether it has ended: finished, or cancelled and stopped (a task still stopping is not done). */
  readonly isDone: Effect.Effect<boolean>
  /** Whether it has started and not ended yet (a task asked to stop runs until it has stopped). */
  readonly isRunning: Effect.Effect<boolean>
  /** Whether it ended cancelled. */
  readonly isCancelled: Effect.Effect<boolean>
  /**
   * Runs `callback` with this future once it is done (at once if it already is), once, with the
   * outcome already visible. Its failures are ignored. A pool runs callbacks in a fiber of their
   * own: a slow callback does not keep the worker from its next task. Succeeds with an effect
   * that unsubscribes the callback (nothing once it has run).
   */
  readonly onDone: (
    callback: (future: Future<A, E>) => Effect.Effect<unknown, unknown>
  ) => Effect.Effect<Effect.Effect<void>>
}

/**
 * Whether `u` is a `Future`.
 *
 * **Example**
 *
 * ```ts
 * import { Future } from "@fiberkit/executor"
 *
 * declare const u: unknown
 * const isDone = Future.isFuture(u) ? u.isDone : undefined
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isFuture = (u: unknown): u is Future<unknown, unknown> =>
  typeof u === "object" && u !== null && TypeId in u
