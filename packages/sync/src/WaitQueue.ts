/**
 * The waiting line every fiberkit primitive uses: a FIFO queue of waiters with O(1) push, shift
 * and removal from anywhere (an interrupted waiter leaves from the middle). Nodes carry their own
 * links, so removal needs no search. A low-level building block for writing new primitives: it
 * is plain mutable data, to be used inside `Effect.sync` / `Effect.callback` of a single runtime.
 *
 * @since 0.1.0
 */

/**
 * A waiter: any object with these three fields (start them as `undefined`, `undefined`, `false`).
 *
 * **Example**
 *
 * ```ts
 * import { WaitQueue } from "@fiberkit/sync"
 *
 * // a waiter carries its own links: it starts unlinked and not queued
 * class Ticket implements WaitQueue.Node {
 *   prev: WaitQueue.Node | undefined = undefined
 *   next: WaitQueue.Node | undefined = undefined
 *   queued = false
 *   constructor(readonly id: number) {}
 * }
 * const line = new WaitQueue.WaitQueue<Ticket>()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  prev: Node | undefined
  next: Node | undefined
  queued: boolean
}

/**
 * A FIFO line of waiters, linked through the waiters' own `prev` / `next` fields.
 *
 * **Example**
 *
 * ```ts
 * import { WaitQueue } from "@fiberkit/sync"
 *
 * interface Waiter extends WaitQueue.Node { readonly name: string }
 * const line = new WaitQueue.WaitQueue<Waiter>()
 * const a: Waiter = { name: "a", prev: undefined, next: undefined, queued: false }
 * line.push(a)
 * line.remove(a) // true: it was waiting
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class WaitQueue<A extends Node> {
  private head: A | undefined = undefined
  private tail: A | undefined = undefined
  /** How many nodes are queued. */
  size = 0

  /** The longest waiter, without taking it out. */
  get first(): A | undefined {
    return this.head
  }

  /** The newest waiter, without taking it out. */
  get last(): A | undefined {
    return this.tail
  }

  /**
   * Queues `node` just before `before` (a queued node), or at the back when `before` is
   * `undefined`: for lines kept in an order other than arrival, such as by priority.
   */
  insertBefore(node: A, before: A | undefined): void {
    if (before === undefined) return this.append(node)
    node.prev = before.prev
    node.next = before
    node.queued = true
    if (before.prev === undefined) this.head = node
    else before.prev.next = node
    before.prev = node
    this.size++
  }

  /** Queues `node` at the back. */
  push(node: A): void {
    this.append(node)
  }

  /** Links `node` in at the back. */
  protected append(node: A): void {
    node.prev = this.tail
    node.next = undefined
    node.queued = true
    if (this.tail === undefined) this.head = node
    else this.tail.next = node
    this.tail = node
    this.size++
  }

  /** Takes the longest waiter out of the line; `undefined` if none waits. */
  shift(): A | undefined {
    const node = this.head
    if (node !== undefined) this.remove(node)
    return node
  }

  /** Removes `node` if it is still queued; returns whether it was. */
  remove(node: A): boolean {
    if (!node.queued) return false
    if (node.prev === undefined) this.head = node.next as A | undefined
    else node.prev.next = node.next
    if (node.next === undefined) this.tail = node.prev as A | undefined
    else node.next.prev = node.prev
    node.prev = node.next = undefined
    node.queued = false
    this.size--
    return true
  }

  /** Takes every node out, in order. */
  drain(): Array<A> {
    const all: Array<A> = []
    while (this.head !== undefined) all.push(this.shift()!)
    return all
  }
}

/**
 * A waiter with a place in a {@link Ranked} line: lower ranks are served first.
 *
 * **Example**
 *
 * ```ts
 * import { WaitQueue } from "@fiberkit/sync"
 *
 * const urgent: WaitQueue.RankedNode = { rank: -10, prev: undefined, next: undefined, queued: false }
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface RankedNode extends Node {
  readonly rank: number
}

/**
 * A line of waiters kept in order of rank, lowest first, equal ranks in order of arrival, with
 * O(1) removal from anywhere as in {@link WaitQueue}. `push` places a waiter by its rank: at the
 * back while every waiter has one rank (no bookkeeping: a line of rank 0 is as cheap as a plain
 * one), otherwise after the last waiter of its rank, found through an index of the ranks present
 * (a map and a sorted array) instead of a walk along the line — so 20,000 waiters of ten
 * priorities join in O(log ranks) each, not O(line). A rank of `NaN` is refused (a defect).
 *
 * **Example**
 *
 * ```ts
 * import { WaitQueue } from "@fiberkit/sync"
 *
 * interface Waiter extends WaitQueue.RankedNode { readonly name: string }
 * const waiter = (name: string, rank: number): Waiter =>
 *   ({ name, rank, prev: undefined, next: undefined, queued: false })
 * const line = new WaitQueue.Ranked<Waiter>()
 * line.push(waiter("a", 0))
 * line.push(waiter("b", 1))
 * line.push(waiter("urgent", -1))
 * console.log(line.drain().map((w) => w.name)) // ["urgent", "a", "b"]
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export class Ranked<A extends RankedNode> extends WaitQueue<A> {
  /** The last waiter of each rank in line, kept once the line holds two ranks. */
  private readonly lastOfRank = new Map<number, A>()
  /** The ranks in line, ascending, kept with `lastOfRank`. */
  private readonly ranks: Array<number> = []
  private indexed = false

  /**
   * Queues `node` after every waiter ranked at or before it, before every one ranked after it. A
   * rank of `NaN` (ranked neither before nor after anything) is a defect: a `RangeError`, thrown
   * before the line changes.
   */
  override push(node: A): void {
    const rank = node.rank
    if (rank !== rank) throw new RangeError("WaitQueue.Ranked: a waiter's rank must be a number, got NaN")
    if (!this.indexed) {
      const last = this.last
      if (last === undefined || last.rank === rank) return this.append(node)
      this.buildIndex()
    }
    const lastOfRank = this.lastOfRank.get(rank)
    if (lastOfRank !== undefined) {
      super.insertBefore(node, lastOfRank.next as A | undefined)
    } else {
      const at = this.firstRankAbove(rank)
      super.insertBefore(node, at === 0 ? this.first : this.lastOfRank.get(this.ranks[at - 1]!)!.next as A | undefined)
      this.ranks.splice(at, 0, rank)
    }
    this.lastOfRank.set(rank, node)
  }

  /**
   * Queues `node` among the waiters of its rank, just before the first of them that `follows`
   * it — after them all if none does. `follows` must hold for a tail of that rank, as
   * `(other) => other.seq > node.seq` does in a line kept in order of arrival: for a waiter that
   * comes back to its place in a line it had left. Walks the rank from both ends at once, so it
   * costs the distance to the nearer end.
   */
  pushAmong(node: A, follows: (other: A) => boolean): void {
    const rank = node.rank
    if (rank !== rank) return this.push(node) // refused there
    const last = this.indexed ? this.lastOfRank.get(rank) : this.last?.rank === rank ? this.last : undefined
    if (last === undefined) return this.push(node)
    let front = this.firstOfRank(rank)
    let back = last
    for (;;) {
      if (follows(front)) return super.insertBefore(node, front)
      if (!follows(back)) break
      front = front.next as A
      back = back.prev as A
    }
    super.insertBefore(node, back.next as A | undefined)
    if (back === last && this.indexed) this.lastOfRank.set(rank, node)
  }

  /** The first waiter of `rank`, one of the line's ranks. */
  private firstOfRank(rank: number): A {
    if (!this.indexed) return this.first!
    const at = this.firstRankAbove(rank) - 1
    return at === 0 ? this.first! : this.lastOfRank.get(this.ranks[at - 1]!)!.next as A
  }

  /** The rank decides where `node` goes: the same as {@link push}, whatever `before` is. */
  override insertBefore(node: A, _before: A | undefined): void {
    this.push(node)
  }

  override remove(node: A): boolean {
    const prev = node.prev as A | undefined
    if (!super.remove(node)) return false
    if (this.size === 0) {
      if (this.indexed) this.dropIndex()
    } else if (this.indexed && this.lastOfRank.get(node.rank) === node) {
      if (prev !== undefined && prev.rank === node.rank) {
        this.lastOfRank.set(node.rank, prev)
      } else {
        this.lastOfRank.delete(node.rank)
        this.ranks.splice(this.firstRankAbove(node.rank) - 1, 1)
      }
    }
    return true
  }

  /** The first index of `ranks` holding a rank above `rank` (`ranks.length` if none). */
  private firstRankAbove(rank: number): number {
    let low = 0
    let high = this.ranks.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.ranks[mid]! <= rank) low = mid + 1
      else high = mid
    }
    return low
  }

  /** The line holds one rank so far: index it before a second joins. */
  private buildIndex(): void {
    for (let node = this.first; node !== undefined; node = node.next as A | undefined) {
      if (!this.lastOfRank.has(node.rank)) this.ranks.push(node.rank)
      this.lastOfRank.set(node.rank, node)
    }
    this.indexed = true
  }

  private dropIndex(): void {
    this.lastOfRank.clear()
    this.ranks.length = 0
    this.indexed = false
  }
}
