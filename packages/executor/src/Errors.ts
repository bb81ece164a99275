/**
 * The typed errors of `@fiberkit/executor`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range, e.g. `concurrency` below 1.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * The future was cancelled: it never started, or it was interrupted while running.
 *
 * @since 0.1.0
 * @category errors
 */
export class FutureCancelled extends Data.TaggedError("FutureCancelled")<{}> {
  override get message(): string {
    return "the future was cancelled"
  }
}

/**
 * The pool was shut down: no new task is accepted.
 *
 * @since 0.1.0
 * @category errors
 */
export class PoolShutDown extends Data.TaggedError("PoolShutDown")<{}> {
  override get message(): string {
    return "the pool is shut down: it accepts no new task"
  }
}

/**
 * A worker thread died while it ran the task — `process.exit`, an uncaught exception, running
 * out of memory, or being terminated. Only the task it was running fails; the worker is
 * replaced, and the tasks queued behind it run on the replacement.
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerCrashed extends Data.TaggedError("WorkerCrashed")<{
  /** The task that was running. */
  readonly task: string
  /** What ended the worker, e.g. "exited with code 3" or an uncaught error's message. */
  readonly reason: string
}> {
  override get message(): string {
    return `the worker thread running task "${this.task}" crashed: ${this.reason}`
  }
}

/**
 * A worker thread could not start: its module failed to load, did not call
 * `WorkerTask.serve` within the start-up timeout, or its initializer failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerSpawnFailed extends Data.TaggedError("WorkerSpawnFailed")<{
  /** The worker module. */
  readonly module: string
  /** Why it did not start. */
  readonly reason: string
}> {
  override get message(): string {
    return `a worker thread for ${this.module} could not start: ${this.reason}`
  }
}
