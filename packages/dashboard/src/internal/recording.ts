import type * as Recorder from "@fiberkit/sync/Recorder"

/**
 * The task records of the last `windowMillis` (at most `capacity` of them), each with its number
 * in order of arrival, so that every page reads only the records it has not seen yet. A record
 * is numbered and kept in the `record` call that a primitive makes when its task ends; records
 * older than the window, or past the capacity, are dropped in batches as later ones come (up to a
 * quarter more are held meanwhile; `since` never returns more than `capacity`).
 *
 * @internal
 */
export class Recording implements Recorder.Recorder {
  private records: Array<Recorder.TaskRecord> = []
  /** The number of the first record of `records`: numbers start at 1. */
  private first = 1
  /** Records dropped because more than `capacity` came within a window. */
  dropped = 0

  constructor(
    readonly now: () => number,
    private readonly windowMillis: number,
    private readonly capacity: number,
    /** The recorder that was in force where the dashboard was made (a Timeline): it gets every record too. */
    private readonly next: Recorder.Recorder | undefined
  ) {}

  readonly record = (task: Recorder.TaskRecord): void => {
    this.records.push(task)
    this.next?.record(task)
    // trim in batches (a quarter more than kept), so that a record costs a constant on average
    const excess = this.records.length - this.capacity
    if (excess > this.capacity / 4) {
      this.dropped += excess
      this.forget(excess)
    }
    if (this.records[0]!.endedAt < task.endedAt - this.windowMillis * 1.25) {
      this.forget(this.endedBefore(task.endedAt - this.windowMillis))
    }
  }

  /** The number the next record will get: a page that has seen everything asks from here. */
  get cursor(): number {
    return this.first + this.records.length
  }

  /** The records numbered `from` or later still kept (all kept ones when `from` is older). */
  since(from: number): ReadonlyArray<Recorder.TaskRecord> {
    return this.records.slice(Math.max(0, from - this.first, this.records.length - this.capacity))
  }

  private endedBefore(time: number): number {
    let count = 0
    while (count < this.records.length && this.records[count]!.endedAt < time) count++
    return count
  }

  private forget(count: number): void {
    if (count === 0) return
    this.records = this.records.slice(count)
    this.first += count
  }
}
