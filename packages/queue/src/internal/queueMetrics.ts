import type { Instrument } from "@fiberkit/sync/Telemetry"

/**
 * A queue's metrics (`@fiberkit/sync`'s `Telemetry`, source `"JoinableQueue"`): `fiberkit_pending`
 * is the items in the queue (put, not taken for good: an item handed to a taker that may still
 * give it back counts), and each item ends once — `"succeeded"` when taken for good, `"dropped"`
 * when an immediate shutdown drops it. A queue has no running items and no times: its items stay
 * plain values, with no timestamp each.
 */

/** `count` items taken for good. @internal */
export const tookOut = (instrument: Instrument, count: number): void => {
  instrument.dequeued(count)
  instrument.ended("succeeded", count)
}

/** `count` items dropped by an immediate shutdown. @internal */
export const dropOut = (instrument: Instrument, count: number): void => {
  instrument.dequeued(count)
  instrument.ended("dropped", count)
}
