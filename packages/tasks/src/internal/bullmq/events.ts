import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"

/** An event of the queue's stream: a task ended (`completed`, `failed`), or a shutdown's end mark. */
export type QueueEvent = readonly [event: "completed" | "failed" | "end", jobId: string]

/** Where the reader fell behind: the events after it were dropped. */
export const Overflow = Symbol.for("@fiberkit/tasks/BullMQStore/Overflow")

/**
 * The events `QueueEvents` hands to this process (from callbacks, which cannot wait), for the
 * fiber that reads each task's outcome from Redis and publishes it. At most `capacity` wait:
 * when the reader falls that far behind, an `Overflow` mark is queued where it did, and the
 * events after it are dropped until the reader takes the mark — it then reports the loss (the
 * outcomes it missed are in Redis, for `status`). The end mark is never dropped.
 *
 * @internal
 */
export class EventBuffer {
  private dropping = false

  private constructor(
    private readonly queue: Queue.Queue<QueueEvent | typeof Overflow>,
    private readonly capacity: number
  ) {}

  static readonly make = (capacity: number): Effect.Effect<EventBuffer> =>
    Effect.map(Queue.unbounded<QueueEvent | typeof Overflow>(), (queue) => new EventBuffer(queue, capacity))

  offer(event: QueueEvent): void {
    if (event[0] !== "end") {
      if (this.dropping) return
      if (Queue.sizeUnsafe(this.queue) >= this.capacity) {
        this.dropping = true
        Queue.offerUnsafe(this.queue, Overflow)
        return
      }
    }
    Queue.offerUnsafe(this.queue, event)
  }

  /** The next event, or the mark of the events dropped there (events are queued again from then on). */
  take(): Effect.Effect<QueueEvent | typeof Overflow> {
    return Effect.map(Queue.take(this.queue), (item) => {
      if (item === Overflow) this.dropping = false
      return item
    })
  }
}
