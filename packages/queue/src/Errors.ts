/**
 * The typed errors of `@fiberkit/queue`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range, e.g. a negative `capacity`.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * The queue was shut down: a put after `shutdown`, a take once a shut-down queue is empty (or
 * at once after `shutdown({ immediate: true })`), or a putter or taker waiting at that moment.
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueShutDown extends Data.TaggedError("QueueShutDown")<{}> {
  override get message(): string {
    return "the queue is shut down"
  }
}

/**
 * `taskDone` was called more times than items were put.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskDoneTooManyTimes extends Data.TaggedError("TaskDoneTooManyTimes")<{}> {
  override get message(): string {
    return "taskDone called more times than there were items put"
  }
}
