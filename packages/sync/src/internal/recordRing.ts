import type * as Recorder from "../Recorder.js"
import type * as Api from "../RecordRing.js"

const OUTCOMES: ReadonlyArray<Recorder.Outcome> = ["success", "failure", "interrupted"]
const outcomeCode = (outcome: Recorder.Outcome): number => outcome === "success" ? 0 : outcome === "failure" ? 1 : 2

/**
 * The last `capacity` task records, oldest first; older ones are dropped and counted. Stored by
 * column (times in `Float64Array`s, strings in arrays) and turned back into objects only when
 * read: a push allocates nothing, and no record object is kept alive long enough for the garbage
 * collector to move it to the old generation, which is what keeping 10,000 objects would cost.
 * The columns grow as records come (doubling, up to `capacity`): a large capacity costs nothing
 * until it is used.
 * @internal
 */
export class Ring implements Api.RecordRing {
  private readonly source: Array<string> = []
  private readonly group: Array<string> = []
  private readonly lane: Array<string | undefined> = []
  private readonly label: Array<string> = []
  private times: Float64Array
  private outcome: Uint8Array
  /** The records the typed columns have room for (≤ capacity). */
  private room: number
  private next = 0
  private size = 0
  dropped = 0
  /** How many records were ever pushed (since the last `clear`): the next record's ordinal. */
  pushed = 0

  constructor(readonly capacity: number) {
    this.room = Math.min(capacity, 1024)
    this.times = new Float64Array(this.room * 3)
    this.outcome = new Uint8Array(this.room)
  }

  /** Room for twice as many records (the ring has not wrapped yet: they are at 0 … size). */
  private grow(): void {
    this.room = Math.min(this.capacity, this.room * 2)
    const times = new Float64Array(this.room * 3)
    times.set(this.times)
    this.times = times
    const outcome = new Uint8Array(this.room)
    outcome.set(this.outcome)
    this.outcome = outcome
  }

  push(record: Recorder.TaskRecord): void {
    if (this.size === this.room && this.room < this.capacity) this.grow()
    if (this.size === this.capacity) this.dropped++
    else this.size++
    const at = this.next
    this.source[at] = record.source
    this.group[at] = record.group
    this.lane[at] = record.lane
    this.label[at] = record.label
    this.times[at * 3] = record.queuedAt
    this.times[at * 3 + 1] = record.startedAt
    this.times[at * 3 + 2] = record.endedAt
    this.outcome[at] = outcomeCode(record.outcome)
    this.next = at + 1 === this.capacity ? 0 : at + 1
    this.pushed++
  }

  toArray(): Array<Recorder.TaskRecord> {
    return this.since(0)
  }

  /** The records kept whose ordinal (their place among all pushed, from 0) is `from` or more, oldest first. */
  since(from: number): Array<Recorder.TaskRecord> {
    const start = this.size === this.capacity ? this.next : 0
    // an ordinal is a whole number: a fraction reads from the next one, anything else from the first
    const first = Number.isFinite(from) ? Math.ceil(from) : 0
    const skip = Math.min(this.size, Math.max(0, first - (this.pushed - this.size)))
    const out: Array<Recorder.TaskRecord> = new Array(this.size - skip)
    for (let i = skip; i < this.size; i++) {
      const at = (start + i) % this.capacity
      out[i - skip] = {
        source: this.source[at]!,
        group: this.group[at]!,
        lane: this.lane[at],
        label: this.label[at]!,
        queuedAt: this.times[at * 3]!,
        startedAt: this.times[at * 3 + 1]!,
        endedAt: this.times[at * 3 + 2]!,
        outcome: OUTCOMES[this.outcome[at]!]!
      }
    }
    return out
  }

  clear(): void {
    this.source.fill(undefined as unknown as string)
    this.group.fill(undefined as unknown as string)
    this.lane.fill(undefined)
    this.label.fill(undefined as unknown as string)
    this.next = 0
    this.size = 0
    this.dropped = 0
    this.pushed = 0
  }
}
