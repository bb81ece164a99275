import type * as Recorder from "@fiberkit/sync/Recorder"
import * as RecordRing from "@fiberkit/sync/RecordRing"

/**
 * The dashboard's recorder: the last `capacity` task records in a `RecordRing` (by column: a
 * record costs the task that ends almost nothing), each with its ordinal, so that every page
 * reads only the records it has not seen yet — and of those, only the ones that ended within the
 * window. Every record also goes to the recorder that was in force where the dashboard was made.
 *
 * @internal
 */
export class Recording implements Recorder.Recorder {
  private readonly ring: RecordRing.RecordRing

  constructor(
    readonly now: () => number,
    private readonly windowMillis: number,
    capacity: number,
    /** The recorder that was in force where the dashboard was made (a Timeline): it gets every record too. */
    private readonly next: Recorder.Recorder | undefined
  ) {
    this.ring = RecordRing.make(capacity)
  }

  readonly record = (task: Recorder.TaskRecord): void => {
    this.ring.push(task)
    this.next?.record(task)
  }

  /** The ordinal the next record will get: a page that has seen everything reads from here. */
  get cursor(): number {
    return this.ring.pushed
  }

  /** The records from ordinal `from` on still kept that ended within the window, oldest first. */
  since(from: number): ReadonlyArray<Recorder.TaskRecord> {
    const start = this.now() - this.windowMillis
    return this.ring.since(from).filter((record) => record.endedAt >= start)
  }
}
