/**
 * The typed errors of `@fiberkit/executor`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range, e.g. `maxWorkers` below 1.
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
