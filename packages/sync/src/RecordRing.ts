/**
 * The last `capacity` task records (`Recorder.TaskRecord`), kept by column: a push allocates
 * nothing and keeps no record object alive, so a recorder that holds thousands of them costs the
 * tasks it records almost nothing. `@fiberkit/observe`'s Timeline keeps its records in one, and
 * `@fiberkit/dashboard` its moving Timeline, read by `since` from where a page left off.
 *
 * @since 0.2.0
 */
import * as internal from "./internal/recordRing.js"
import type * as Recorder from "./Recorder.js"

/**
 * **Example**
 *
 * ```ts
 * import { RecordRing } from "@fiberkit/sync"
 *
 * const ring = RecordRing.make(1_000)
 * ring.push({
 *   source: "FiberPool", group: "1", lane: "worker 0", label: "#0",
 *   queuedAt: 0, startedAt: 1, endedAt: 5, outcome: "success"
 * })
 * const unread = ring.since(0) // the record above; `ring.pushed` (1) is where to read from next
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface RecordRing {
  /** The most records it keeps; a push beyond drops the oldest. */
  readonly capacity: number
  /** Records dropped to make room, since it was made or cleared. */
  readonly dropped: number
  /** Records ever pushed, since it was made or cleared: the ordinal the next one gets. */
  readonly pushed: number
  /** Keeps a record (copied into the columns: the object is not kept). */
  push(record: Recorder.TaskRecord): void
  /** Every record kept, oldest first, as new objects. */
  toArray(): Array<Recorder.TaskRecord>
  /** The records kept whose ordinal is `from` or more (all kept ones when those are gone), oldest first. */
  since(from: number): Array<Recorder.TaskRecord>
  /** Forgets every record and the counts. */
  clear(): void
}

/**
 * A ring that keeps the last `capacity` records (a positive integer; the caller checks it).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder, RecordRing } from "@fiberkit/sync"
 *
 * // a recorder keeping the last 500 tasks of every pool made under it
 * const ring = RecordRing.make(500)
 * const recorder: Recorder.Recorder = { now: () => performance.now(), record: (task) => ring.push(task) }
 * const program = Effect.provideService(Effect.void, Recorder.currentRecorder, recorder)
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (capacity: number): RecordRing => new internal.Ring(capacity)
