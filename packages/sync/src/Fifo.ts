/**
 * A line of plain items in arrival order (a growable ring: O(1) at both ends), for the jobs,
 * tickets and timestamps that pools, limiters and stores keep — written once instead of an
 * array with a `head` index compacted by hand in each of them. Waiting fibers stand in a
 * `WaitQueue` instead, which also removes from the middle.
 *
 * @since 0.2.0
 */

/**
 * A FIFO line: `push` at the back, `shift` and `peek` at the front, `at(i)` from the front,
 * `length`, `clear`, and iteration from the oldest item.
 *
 * **Example**
 *
 * ```ts
 * import { Fifo } from "@fiberkit/sync"
 *
 * const line = new Fifo.Fifo<string>()
 * line.push("a")
 * line.push("b")
 * console.log(line.shift(), line.length) // "a" 1
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export class Fifo<A> {
  private items: Array<A | undefined> = new Array(16)
  private head = 0
  length = 0

  /** Adds `item` at the back. */
  push(item: A): void {
    if (this.length === this.items.length) this.grow()
    this.items[(this.head + this.length) & (this.items.length - 1)] = item
    this.length++
  }

  /** The oldest item; the line must not be empty. */
  shift(): A {
    const item = this.items[this.head] as A
    this.items[this.head] = undefined
    this.head = (this.head + 1) & (this.items.length - 1)
    this.length--
    return item
  }

  /** The oldest item without taking it out, `undefined` if empty. */
  peek(): A | undefined {
    return this.length === 0 ? undefined : this.items[this.head]
  }

  /** The `i`-th oldest item (0 is the oldest); `i` must be below `length`. */
  at(i: number): A {
    return this.items[(this.head + i) & (this.items.length - 1)] as A
  }

  /** Empties the line; returns how many items it held. */
  clear(): number {
    const dropped = this.length
    this.items = new Array(16)
    this.head = 0
    this.length = 0
    return dropped
  }

  /** The items from the oldest to the newest. */
  *[Symbol.iterator](): IterableIterator<A> {
    for (let i = 0; i < this.length; i++) yield this.at(i)
  }

  private grow(): void {
    const bigger: Array<A | undefined> = new Array(this.items.length * 2)
    for (let i = 0; i < this.length; i++) bigger[i] = this.at(i)
    this.items = bigger
    this.head = 0
  }
}
