import * as Fifo from "@fiberkit/sync/Fifo"
import { Heap } from "@fiberkit/sync/Heap"
import type * as Order from "effect/Order"

/**
 * Items handed out of a buffer to a waiting taker, each with its place in the buffer's order
 * (`seqs[i]`: when `items[i]` was put), so that they can go back to those very places if the
 * taker is interrupted before it takes them. Two arrays, not an object per item: a batch of 100
 * is handed with two allocations.
 *
 * @internal
 */
export interface Handed<A> {
  readonly items: Array<A>
  readonly seqs: Array<number>
}

/** An entry of a priority heap. @internal */
interface Entry<A> {
  readonly item: A
  readonly seq: number
}

/**
 * Where a queue keeps its items: in arrival order, most recent first, or by priority.
 * `shift` and `hand` never run on an empty buffer. `restore` puts a handed item back where it
 * was in the order — before every item put after it in a FIFO or priority queue, below them in
 * a stack — so that a take that did not happen leaves no trace.
 *
 * @internal
 */
export interface Buffer<A> {
  readonly length: number
  push(item: A): void
  shift(): A
  /** Moves the next item, and its seq, to the end of `into`. */
  hand(into: Handed<A>): void
  restore(item: A, seq: number): void
  clear(): number
}

/** The index of the first entry whose seq is above `seq` in `seqs`, sorted ascending. */
const above = (seqs: ReadonlyArray<number>, seq: number): number => {
  let low = 0
  let high = seqs.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (seqs[mid]! <= seq) low = mid + 1
    else high = mid
  }
  return low
}

/**
 * Arrival order: a ring of plain items (no allocation per item), and the few handed items given
 * back, which are older than every item in the ring and leave first, oldest first.
 *
 * @internal
 */
export class Queue<A> implements Buffer<A> {
  private readonly ring = new Fifo.Fifo<A>()
  /** The seq of the ring's first item: items enter the ring in arrival order. */
  private front = 0
  private readonly backItems: Array<A> = []
  private readonly backSeqs: Array<number> = []

  get length(): number {
    return this.ring.length + this.backItems.length
  }

  push(item: A): void {
    this.ring.push(item)
  }

  shift(): A {
    if (this.backItems.length > 0) {
      this.backSeqs.shift()
      return this.backItems.shift()!
    }
    this.front++
    return this.ring.shift()
  }

  hand(into: Handed<A>): void {
    if (this.backItems.length > 0) {
      into.seqs.push(this.backSeqs.shift()!)
      into.items.push(this.backItems.shift()!)
      return
    }
    into.seqs.push(this.front++)
    into.items.push(this.ring.shift())
  }

  restore(item: A, seq: number): void {
    const i = above(this.backSeqs, seq)
    this.backSeqs.splice(i, 0, seq)
    this.backItems.splice(i, 0, item)
  }

  clear(): number {
    const dropped = this.length
    this.ring.clear()
    this.backItems.length = 0
    this.backSeqs.length = 0
    return dropped
  }
}

/** A stack, each item with its seq (increasing from bottom to top). @internal */
export class Lifo<A> implements Buffer<A> {
  private readonly items: Array<A> = []
  private readonly seqs: Array<number> = []
  private seq = 0

  get length(): number {
    return this.items.length
  }

  push(item: A): void {
    this.items.push(item)
    this.seqs.push(this.seq++)
  }

  shift(): A {
    this.seqs.pop()
    return this.items.pop()!
  }

  hand(into: Handed<A>): void {
    into.seqs.push(this.seqs.pop()!)
    into.items.push(this.items.pop()!)
  }

  restore(item: A, seq: number): void {
    const i = above(this.seqs, seq)
    this.seqs.splice(i, 0, seq)
    this.items.splice(i, 0, item)
  }

  clear(): number {
    const dropped = this.items.length
    this.items.length = 0
    this.seqs.length = 0
    return dropped
  }
}

/** A binary min-heap by `order`; equal items leave in the order they came. @internal */
export class Priority<A> implements Buffer<A> {
  private readonly heap: Heap<Entry<A>>
  private seq = 0

  constructor(order: Order.Order<A>) {
    this.heap = new Heap((a, b) => {
      const c = order(a.item, b.item)
      return c < 0 || (c === 0 && a.seq < b.seq)
    })
  }

  get length(): number {
    return this.heap.length
  }

  push(item: A): void {
    this.heap.push({ item, seq: this.seq++ })
  }

  shift(): A {
    return this.heap.shift().item
  }

  hand(into: Handed<A>): void {
    const entry = this.heap.shift()
    into.seqs.push(entry.seq)
    into.items.push(entry.item)
  }

  restore(item: A, seq: number): void {
    this.heap.push({ item, seq })
  }

  clear(): number {
    return this.heap.clear()
  }
}
