/**
 * A line of items ranked by a number — lower ranks leave first, equal ranks in order of arrival —
 * whose rank-0 items cost no more than a plain `Fifo`: the pending line of `FiberPool` and
 * `WorkerPool` and the queued tasks of the TaskManager's stores, where most users never set a
 * priority.
 *
 * @since 0.3.0
 */
import { Fifo } from "./Fifo.js"
import { Heap } from "./Heap.js"

interface Ranked<A> {
  readonly item: A
  readonly rank: number
  readonly seq: number
}

const before = <A>(a: Ranked<A>, b: Ranked<A>): boolean => a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)

/**
 * Items ranked by a number: `push(item, rank)`, `shift` the lowest rank, equal ranks first come,
 * first served. Rank 0 — every item of a line whose users never rank — goes in a `Fifo` (nothing
 * to compare, no object per item); other ranks in a `Heap` by (rank, arrival). Ranks are any
 * numbers but `NaN` (`Priority.rank` turns a priority into one).
 *
 * **Example**
 *
 * ```ts
 * import { RankedLine } from "@fiberkit/sync"
 *
 * const line = new RankedLine.RankedLine<string>()
 * line.push("report")
 * line.push("alert", -5) // a lower rank: leaves first
 * line.push("backup", 3)
 * console.log(line.shift(), line.shift(), line.shift()) // "alert" "report" "backup"
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export class RankedLine<A> {
  private readonly plain = new Fifo<A>()
  private readonly ranked = new Heap<Ranked<A>>(before)
  private arrivals = 0

  /** How many items are in line. */
  get length(): number {
    return this.plain.length + this.ranked.length
  }

  /** Adds `item` with `rank` (default 0): after every item of a lower or equal rank. */
  push(item: A, rank = 0): void {
    if (rank === 0) this.plain.push(item)
    else this.ranked.push({ item, rank, seq: this.arrivals++ })
  }

  /** The rank of the first item in line, `undefined` if the line is empty. */
  get firstRank(): number | undefined {
    const top = this.ranked.peek()
    if (top !== undefined && (top.rank < 0 || this.plain.length === 0)) return top.rank
    return this.plain.length > 0 ? 0 : undefined
  }

  /** The first item without taking it out, `undefined` if the line is empty. */
  peek(): A | undefined {
    const top = this.ranked.peek()
    return top !== undefined && (top.rank < 0 || this.plain.length === 0) ? top.item : this.plain.peek()
  }

  /** The first item in line, taken out; the line must not be empty. */
  shift(): A {
    const top = this.ranked.peek()
    if (top === undefined || (top.rank > 0 && this.plain.length > 0)) return this.plain.shift()
    return this.ranked.shift().item
  }

  /** Empties the line; returns how many items it held. */
  clear(): number {
    return this.plain.clear() + this.ranked.clear()
  }

  /** Every item in line, in no particular order. */
  *[Symbol.iterator](): Iterator<A> {
    yield* this.plain
    for (const entry of this.ranked) yield entry.item
  }
}
