/**
 * A binary heap: the line of items that leave by an order rather than by arrival — written once
 * for the ranked lines of pools, limiters and stores (`RankedLine`) and the priority buffer of
 * `@fiberkit/queue`, instead of a heap hand-written in each.
 *
 * @since 0.3.0
 */

/**
 * A binary min-heap by `before(a, b)` (`true` when `a` must leave before `b`): `push` and
 * `shift` in O(log n), `peek` in O(1). Items that are not `before` each other leave in no set
 * order — give `before` a tie-breaker (an arrival number) for a stable line, as `RankedLine` does.
 *
 * **Example**
 *
 * ```ts
 * import { Heap } from "@fiberkit/sync"
 *
 * const deadlines = new Heap.Heap<number>((a, b) => a < b)
 * deadlines.push(30)
 * deadlines.push(10)
 * deadlines.push(20)
 * console.log(deadlines.shift(), deadlines.peek(), deadlines.length) // 10 20 2
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export class Heap<A> {
  private items: Array<A> = []

  constructor(private readonly before: (a: A, b: A) => boolean) {}

  /** How many items are in the heap. */
  get length(): number {
    return this.items.length
  }

  /** Adds `item`. */
  push(item: A): void {
    const items = this.items
    let i = items.push(item) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(item, items[parent]!)) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = item
  }

  /** The first item without taking it out, `undefined` if empty. */
  peek(): A | undefined {
    return this.items[0]
  }

  /** The first item, taken out; the heap must not be empty. */
  shift(): A {
    const items = this.items
    const top = items[0]!
    const last = items.pop()!
    if (items.length > 0) this.siftDown(last)
    return top
  }

  /** Empties the heap; returns how many items it held. */
  clear(): number {
    const dropped = this.items.length
    this.items = []
    return dropped
  }

  /** Every item, in no particular order. */
  [Symbol.iterator](): Iterator<A> {
    return this.items[Symbol.iterator]()
  }

  private siftDown(item: A): void {
    const items = this.items
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= items.length) break
      if (child + 1 < items.length && this.before(items[child + 1]!, items[child]!)) child++
      if (!this.before(items[child]!, item)) break
      items[i] = items[child]!
      i = child
    }
    items[i] = item
  }
}
