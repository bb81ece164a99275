import { RankedLine } from "@fiberkit/sync/RankedLine"
import { DelayedTasks } from "./delayedTasks.js"
import { rebuilt, type Stored } from "./localRecords.js"

/** The two lines of one task definition; both hold records by rank `-priority` (see `RankedLine`). */
interface Lines {
  /** Tasks put back (stopped by a shutdown, or a take that failed). */
  returned: RankedLine<Stored>
  /** Tasks added, recovered, replayed, or whose time came. */
  queued: RankedLine<Stored>
}

/**
 * The lines a local store's queued tasks wait in, in the order they are taken: the highest
 * priority first; of one priority, the tasks put back before the others, which go in the order
 * they were added — or, for a delayed task, in the order their time came (`delayed` holds them
 * until then). Each task definition has lines of its own, so that a take can pass over the
 * definitions its taker does not accept (a definition at its `concurrency`) without disturbing
 * their order; the order across definitions is the same as in one line (a sequence number per
 * entry breaks ties).
 *
 * An entry whose task is no longer live (cancelled while queued: `isLive` says) is stale: skipped
 * when it comes up. Stale entries are counted, and the lines are rebuilt without them once they
 * outnumber the live ones, so that tasks cancelled under a steady flow of higher priorities do not
 * pile up.
 *
 * @internal
 */
export class TaskLines {
  private readonly byName = new Map<string, Lines>()
  /** The sequence number of each record's latest entry. */
  private readonly order = new WeakMap<Stored, number>()
  private seq = 0
  private size = 0
  /** Entries whose task was cancelled (an upper bound). */
  private stale = 0
  /** Queued tasks whose time has not come. */
  readonly delayed = new DelayedTasks()

  constructor(private readonly isLive: (record: Stored) => boolean) {}

  /** How many entries the lines hold, stale ones included. */
  get entries(): number {
    return this.size
  }

  private linesOf(name: string): Lines {
    let lines = this.byName.get(name)
    if (lines === undefined) {
      lines = { returned: new RankedLine<Stored>(), queued: new RankedLine<Stored>() }
      this.byName.set(name, lines)
    }
    return lines
  }

  private push(record: Stored, returned: boolean): void {
    const lines = this.linesOf(record.name)
    ;(returned ? lines.returned : lines.queued).push(record, -record.priority)
    this.order.set(record, this.seq++)
    this.size++
  }

  /** A task joins the queue: at the back of its priority if its time has come, else `delayed`. */
  enqueue(record: Stored, now: number): void {
    if (record.runAt !== undefined && record.runAt > now) this.delayed.push(record, record.runAt)
    else this.push(record, false)
  }

  /** The delayed tasks whose time has come join the queue, after the tasks queued before them. */
  promote(now: number): void {
    this.delayed.due(now, (record) => this.push(record, false))
  }

  /** A task joins the back of its priority at once (a dead letter replayed). */
  requeue(record: Stored): void {
    this.push(record, false)
  }

  /** A task goes back to the front of its priority. */
  putBack(record: Stored): void {
    this.push(record, true)
  }

  /**
   * The first live entry of the definitions `accept` takes (all, without it), out of its line;
   * `undefined` if none is left.
   */
  next(accept?: (name: string) => boolean): Stored | undefined {
    for (;;) {
      let best: RankedLine<Stored> | undefined = undefined
      let bestRank = 0
      let bestReturned = false
      let bestSeq = 0
      for (const [name, lines] of this.byName) {
        if (accept !== undefined && !accept(name)) continue
        for (const returned of [true, false]) {
          const line = returned ? lines.returned : lines.queued
          const rank = line.firstRank
          if (rank === undefined) continue
          const seq = this.order.get(line.peek()!) ?? 0
          // a higher priority; of one, a task put back; of those, the earlier entry
          const before = best === undefined || rank < bestRank ||
            (rank === bestRank && (returned !== bestReturned ? returned : seq < bestSeq))
          if (before) {
            best = line
            bestRank = rank
            bestReturned = returned
            bestSeq = seq
          }
        }
      }
      if (best === undefined) return undefined
      const record = best.shift()
      this.size--
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
    if (++this.stale * 2 <= this.size) return
    this.size = 0
    for (const lines of this.byName.values()) {
      lines.returned = rebuilt(lines.returned, this.isLive)
      lines.queued = rebuilt(lines.queued, this.isLive)
      this.size += lines.returned.length + lines.queued.length
    }
    this.stale = 0
  }
}
