/**
 * Tasks a `WorkerPool` runs on worker threads, declared once for both sides. A task has a name,
 * an `effect/Schema` for its payload, its success and its failure, and the effect that runs it.
 * Calling a task makes a `Call`: an effect that runs the task on the current thread, or on a
 * worker thread when a `WorkerPool` runs it — so the same call site runs on a `FiberPool`, on a
 * `WorkerPool`, or inline. Payloads, results and failures cross the thread boundary
 * Schema-encoded: a class instance or a `Date` arrives as itself.
 *
 * The module that declares the tasks is the worker module: it ends with `WorkerTask.serve`, which
 * serves them in a pool's worker threads and does nothing elsewhere, so the main thread imports
 * the same module for the task definitions.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type { WorkerCrashed, WorkerSpawnFailed } from "./Errors.js"
import * as server from "./internal/workerServer.js"
import * as internal from "./internal/workerTask.js"

/**
 * @since 0.1.0
 * @category symbols
 */
export const TaskTypeId: unique symbol = internal.TaskTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TaskTypeId = typeof TaskTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export const CallTypeId: unique symbol = internal.CallTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type CallTypeId = typeof CallTypeId

/**
 * A task: call it with a payload to get a {@link Call}.
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerTask<Name extends string, P, A, E> extends WorkerTask.Any {
  (...payload: [P] extends [void] ? [] : [payload: P]): Call<A, E>
  readonly taskName: Name
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form
  readonly payload: Schema.Codec<P, any>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form
  readonly success: Schema.Codec<A, any>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form
  readonly failure: Schema.Codec<E, any>
  /** The task itself, as it runs on whichever thread it is called. */
  readonly run: (payload: P) => Effect.Effect<A, E>
}

/**
 * @since 0.1.0
 */
export declare namespace WorkerTask {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Any {
    readonly [TaskTypeId]: TaskTypeId
    readonly taskName: string
  }
}

/**
 * A call of a task. As an effect it runs the task: inline, or on a worker thread when a
 * `WorkerPool` runs it (submitted to the pool, or made by an effect the pool runs). On a worker
 * it can also fail with `WorkerCrashed` or `WorkerSpawnFailed`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call<A, E> extends Effect.Effect<A, E | WorkerCrashed | WorkerSpawnFailed> {
  readonly [CallTypeId]: CallTypeId
}

/**
 * Declares a task. Without `failure`, the task cannot fail (its `run` must have `never` as its
 * error type): every typed failure needs a schema to cross the thread boundary. A thrown error
 * or a defect reaches the caller as a defect (an `Error` with the same name and message).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * class TooLarge extends Schema.TaggedError<TooLarge>()("TooLarge", { n: Schema.Number }) {}
 *
 * const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))
 *
 * export const fib = WorkerTask.make("fib", {
 *   payload: Schema.Number,
 *   success: Schema.Number,
 *   failure: TooLarge,
 *   run: (n) => (n > 45 ? Effect.fail(new TooLarge({ n })) : Effect.sync(() => slowFib(n)))
 * })
 *
 * // in a worker thread this serves `fib`; on the main thread it does nothing
 * WorkerTask.serve([fib])
 *
 * const inline = fib(20) // Effect<number, TooLarge | WorkerCrashed | WorkerSpawnFailed>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <const Name extends string, P, PI, A, AI>(
    name: Name,
    options: {
      readonly payload: Schema.Codec<P, PI>
      readonly success: Schema.Codec<A, AI>
      readonly failure?: undefined
      readonly run: (payload: P) => Effect.Effect<A>
    }
  ): WorkerTask<Name, P, A, never>
  <const Name extends string, P, PI, A, AI, E, EI>(
    name: Name,
    options: {
      readonly payload: Schema.Codec<P, PI>
      readonly success: Schema.Codec<A, AI>
      readonly failure: Schema.Codec<E, EI>
      readonly run: (payload: P) => Effect.Effect<A, E>
    }
  ): WorkerTask<Name, P, A, E>
} = internal.make as never

/**
 * Serves `tasks` when the module runs in a `WorkerPool`'s worker thread; anywhere else it does
 * nothing. Call it once, at the top level of the worker module.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * export const double = WorkerTask.make("double", {
 *   payload: Schema.Number,
 *   success: Schema.Number,
 *   run: (n) => Effect.succeed(n * 2)
 * })
 *
 * WorkerTask.serve([double])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve: (tasks: ReadonlyArray<WorkerTask.Any>) => void = server.serve

/**
 * Whether `u` is a `Call` of a task.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * declare const u: unknown
 * const call = WorkerTask.isCall(u) ? u : undefined // a Call is an Effect: yield it to run the task
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isCall = (u: unknown): u is Call<unknown, unknown> => internal.isCall(u)
