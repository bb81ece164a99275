/**
 * The typed errors of `@fiberkit/executor`.
 *
 * `FutureCancelled`, `PoolShutDown`, `WorkerCrashed` and `WorkerSpawnFailed` are
 * `Schema.TaggedError` classes: each is its own schema, so a task that runs on a worker thread
 * can fail with one of them — a task that uses a `FiberPool` there, or calls another task — and
 * name it in its `failure` schema; it arrives on the main thread as an instance of its class,
 * with its tag and fields.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

export {
  /**
   * An option outside its range, e.g. `concurrency` below 1.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions,
  /**
   * A pool's bound on pending tasks was reached (`maxPending` with `onFull: "fail"` or
   * `"dropOldest"`): the `submit` fails with it, or the oldest pending task's future does.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { FiberPool } from "@fiberkit/executor"
   *
   * const program = Effect.scoped(Effect.gen(function*() {
   *   const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 100, onFull: "fail" })
   *   return yield* pool.submit(Effect.succeed(1)).pipe(
   *     Effect.catchTag("PendingLimitExceeded", () => Effect.logWarning("busy: try later"))
   *   )
   * }))
   * ```
   *
   * @since 0.3.0
   * @category errors
   */
  PendingLimitExceeded
} from "@fiberkit/sync/Errors"

/**
 * The future was cancelled: it never started, or it was interrupted while running.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Option } from "effect"
 * import type { Future } from "@fiberkit/executor"
 *
 * // a cancelled future has no result: read it as None
 * const resultOrNone = <A>(future: Future.Future<A>) =>
 *   future.result.pipe(
 *     Effect.map(Option.some),
 *     Effect.catchTag("FutureCancelled", () => Effect.succeed(Option.none<A>()))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FutureCancelled extends Schema.TaggedError<FutureCancelled>()("FutureCancelled", {}) {
  override get message(): string {
    return "the future was cancelled"
  }
}

/**
 * The pool was shut down: no new task is accepted.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Executor } from "@fiberkit/executor"
 *
 * // after shutdown, `submit` fails PoolShutDown: run the task on the current fiber instead
 * const submitOrRun = (executor: Executor.Executor, task: Effect.Effect<number>) =>
 *   executor.submit(task).pipe(
 *     Effect.flatMap((future) => future.result),
 *     Effect.catchTag("PoolShutDown", () => task)
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PoolShutDown extends Schema.TaggedError<PoolShutDown>()("PoolShutDown", {}) {
  override get message(): string {
    return "the pool is shut down: it accepts no new task"
  }
}

/**
 * A worker thread died while it ran the task — `process.exit`, an uncaught exception, running
 * out of memory, or being terminated. Only the task it was running fails; the worker is
 * replaced, and the tasks queued behind it run on the replacement.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { WorkerPool, WorkerTask } from "@fiberkit/executor"
 *
 * declare const render: WorkerTask.WorkerTask<"render", string, Uint8Array, never>
 *
 * // a crash fails only this call, and the pool replaces the worker: try once more
 * const renderOnce = (pool: WorkerPool.WorkerPool, page: string) => {
 *   const run = Effect.flatMap(pool.submit(render(page)), (future) => future.result)
 *   return run.pipe(
 *     Effect.catchTag("WorkerCrashed", (e) => Effect.andThen(Effect.logWarning(`${e.task}: ${e.reason}`), run))
 *   )
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerCrashed extends Schema.TaggedError<WorkerCrashed>()("WorkerCrashed", {
  /** The task that was running. */
  task: Schema.String,
  /** What ended the worker, e.g. "exited with code 3" or an uncaught error's message. */
  reason: Schema.String
}) {
  override get message(): string {
    return `the worker thread running task "${this.task}" crashed: ${this.reason}`
  }
}

/**
 * A worker thread could not start: its module failed to load, did not run `WorkerTask.serve`
 * within the start-up timeout, or the layer given to `serve` or the pool's initializer failed.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { type Executor, FiberPool, WorkerPool } from "@fiberkit/executor"
 *
 * // no worker thread could start: say why, and run the same calls on the main thread instead
 * const executor = WorkerPool.make({ module: new URL("./tasks.js", import.meta.url) }).pipe(
 *   Effect.map((pool): Executor.Executor => pool),
 *   Effect.catchTag("WorkerSpawnFailed", (e) =>
 *     Effect.andThen(Effect.logWarning(`${e.module}: ${e.reason}`), FiberPool.make({ concurrency: 1 })))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerSpawnFailed extends Schema.TaggedError<WorkerSpawnFailed>()("WorkerSpawnFailed", {
  /** The worker module. */
  module: Schema.String,
  /** Why it did not start. */
  reason: Schema.String
}) {
  override get message(): string {
    return `a worker thread for ${this.module} could not start: ${this.reason}`
  }
}
