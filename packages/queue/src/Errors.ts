/**
 * The typed errors of `@fiberkit/queue`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range, e.g. a negative `capacity`: `JoinableQueue.make` and
   * `ProducerConsumer.run` fail with it before any queue exists, naming the field and the value.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { JoinableQueue } from "@fiberkit/queue"
   *
   * declare const capacity: number // from the configuration
   * const queue = JoinableQueue.make<string>({ capacity }).pipe(
   *   Effect.catchTag("InvalidOptions", (error) =>
   *     Effect.andThen(Effect.logWarning(`${error.message}; unbounded instead`), JoinableQueue.make<string>()))
   * )
   * ```
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * The queue was shut down: a put after `shutdown`, a take once a shut-down queue is empty (or
 * at once after `shutdown({ immediate: true })`), or a putter or taker waiting at that moment.
 * For a consumer it is the normal end of the work: catch it to stop.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * // takes and logs items until the queue is shut down and drained, then stops
 * const consumer = (queue: JoinableQueue.JoinableQueue<string>) =>
 *   Effect.forever(Effect.flatMap(queue.take, (item) => Effect.log(`processing ${item}`))).pipe(
 *     Effect.catchTag("QueueShutDown", () => Effect.log("no more work"))
 *   )
 * ```
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
 * `taskDone` was called more times than items were put: a consumer that marks an item done twice,
 * or marks one it never took. A programming mistake, unless the count is shared on purpose.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* JoinableQueue.make<string>()
 *   yield* queue.put("job")
 *   yield* queue.take
 *   yield* queue.taskDone
 *   // a second taskDone for the one item
 *   yield* queue.taskDone.pipe(Effect.catchTag("TaskDoneTooManyTimes", (error) => Effect.logError(error.message)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskDoneTooManyTimes extends Data.TaggedError("TaskDoneTooManyTimes")<{}> {
  override get message(): string {
    return "taskDone called more times than there were items put"
  }
}
