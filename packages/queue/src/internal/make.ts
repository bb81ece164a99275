import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Effect from "effect/Effect"
import type * as Order from "effect/Order"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../JoinableQueue.js"
import { type Buffer, Lifo, Priority, Queue } from "./buffer.js"
import { JoinableQueueImpl } from "./joinableQueue.js"

/**
 * A queue of the kind and capacity asked for: a negative or fractional `capacity`, an unknown
 * `kind`, or a priority queue without an `order` fails `InvalidOptions`.
 *
 * @internal
 */
export const make = <A>(options?: Api.JoinableQueue.Options<A>): Effect.Effect<Api.JoinableQueue<A>, InvalidOptions> =>
  Effect.suspend(() => {
    const capacity = options?.capacity ?? 0
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      return Effect.fail(
        new InvalidOptions({
          operation: "JoinableQueue.make",
          field: "capacity",
          expected: "an integer ≥ 0 (0: unbounded)",
          value: capacity
        })
      )
    }
    const kind = options?.kind ?? "fifo"
    let buffer: Buffer<A>
    if (kind === "fifo") buffer = new Queue<A>()
    else if (kind === "lifo") buffer = new Lifo<A>()
    else if (kind === "priority" && options?.order !== undefined) {
      buffer = new Priority<A>(options.order as Order.Order<A>)
    } else {
      return Effect.fail(
        new InvalidOptions({
          operation: "JoinableQueue.make",
          field: kind === "priority" ? "order" : "kind",
          expected: kind === "priority" ? "an Order for a priority queue" : `"fifo", "lifo" or "priority"`,
          value: kind === "priority" ? options?.order : kind
        })
      )
    }
    return Effect.map(Telemetry.instrument("JoinableQueue", options?.name), (instrument) => {
      // the limit is the capacity; an unbounded queue has none
      if (capacity > 0) instrument?.limited(capacity)
      return new JoinableQueueImpl(buffer, capacity === 0 ? Number.POSITIVE_INFINITY : capacity, instrument)
    })
  })
