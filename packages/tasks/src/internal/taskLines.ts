import { RankedLine } from "@fiberkit/sync/RankedLine"
import { DelayedTasks } from "./delayedTasks.js"
import { rebuilt, type Stored } from "./localRecords.js"

/**
 * The lines a local store's queued tasks wait in, in the order they are taken: the highest
 * priority first; of one priority, the tasks put back (stopped by a shutdown, or a take that
 * failed) before the others, which go in the order they were added — or, for a delayed task, in
 * the order their time came (`delayed` holds them until then).
 *
 * An entry whose task is no longer live (cancelled while queued: `isLive` says) is stale: skipped
 * when it comes up. Stale entries are counted, and the lines are rebuilt without them once they
 * outnumber the live ones, so that tasks cancelled under a steady flow of higher priorities do not
 * pile up.
 *
 * @internal
 */
export class TaskLines {
  /** Tasks put back. Both lines hold records by rank `-priority` (see `RankedLine`). */
  private returned = new RankedLine<Stored>()
  /** Tasks added, recovered, replayed, or whose time came. */
  private queued = new RankedLine<Stored>()
  /** Entries of `returned` and `queued` whose task was cancelled (an upper bound). */
  private stale = 0
  /** Queued tasks whose time has not come. */
  readonly delayed = new DelayedTasks()

  constructor(private readonly isLive: (record: Stored) => boolean) {}

  /** How many entries the lines hold, stale ones included. */
  get entries(): number {
    return this.returned.length + this.queued.length
  }

  /** A task joins the queue: at the back of its priority if its time has come, else `delayed`. */
  enqueue(record: Stored, now: number): void {
    if (record.runAt !== undefined && record.runAt > now) this.delayed.push(record, record.runAt)
    else this.queued.push(record, -record.priority)
  }

  /** The delayed tasks whose time has come join the queue, after the tasks queued before them. */
  promote(now: number): void {
    this.delayed.due(now, (record) => this.queued.push(record, -record.priority))
  }

  /** A task joins the back of its priority at once (a dead letter replayed). */
  requeue(record: Stored): void {
    this.queued.push(record, -record.priority)
  }

  /** A task goes back to the front of its priority. */
  putBack(record: Stored): void {
    this.returned.push(record, -record.priority)
  }

  /** The first live entry, out of its line; `undefined` if none is left. */
  next(): Stored | undefined {
    for (;;) {
      const returned = this.returned.firstRank
      const queued = this.queued.firstRank
      if (returned === undefined && queued === undefined) return undefined
      const line = queued === undefined || (returned !== undefined && returned <= queued) ? this.returned : this.queued
      const record = line.shift()
      if (this.isLive(record)) return record
      if (this.stale > 0) this.stale--
    }
  }

  /**
   * A cancelled task leaves: out of `delayed` if it waits there; else its entry stays in its line
   * (`inLine`: a claim did not drop it meanwhile), stale.
   */
  cancelled(record: Stored, inLine: boolean): void {
    if (this.delayed.drop(record) || !inLine) return
    if (++this.stale * 2 <= this.entries) return
    this.returned = rebuilt(this.returned, this.isLive)
    this.queued = rebuilt(this.queued, this.isLive)
    this.stale = 0
  }
}
