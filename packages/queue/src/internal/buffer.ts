import * as Fifo from "@fiberkit/sync/Fifo"
import type * as Order from "effect/Order"

/**
 * An item handed out of a buffer to a waiting taker, with its place in the buffer's order
 * (`seq`: when it was put), so that it can go back to that very place if the taker is
 * interrupted before it takes it.
 *
 * @internal
 */
export interface Handed<A> {
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
  hand(): Handed<A>
  restore(handed: Handed<A>): void
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

  hand(): Handed<A> {
    if (this.backItems.length > 0) return { seq: this.backSeqs.shift()!, item: this.backItems.shift()! }
    return { seq: this.front++, item: this.ring.shift() }
  }

  restore(handed: Handed<A>): void {
    const i = above(this.backSeqs, handed.seq)
    this.backSeqs.splice(i, 0, handed.seq)
    this.backItems.splice(i, 0, handed.item)
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

  hand(): Handed<A> {
    return { seq: this.seqs.pop()!, item: this.items.pop()! }
  }

  restore(handed: Handed<A>): void {
    const i = above(this.seqs, handed.seq)
    this.seqs.splice(i, 0, handed.seq)
    this.items.splice(i, 0, handed.item)
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
  private readonly heap: Array<Handed<A>> = []
  private seq = 0

  constructor(private readonly order: Order.Order<A>) {}

  get length(): number {
    return this.heap.length
  }

  private before(a: Handed<A>, b: Handed<A>): boolean {
    const c = this.order(a.item, b.item)
    return c < 0 || (c === 0 && a.seq < b.seq)
  }

  push(item: A): void {
    this.restore({ item, seq: this.seq++ })
  }

  shift(): A {
    return this.hand().item
  }

  hand(): Handed<A> {
    const heap = this.heap
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      while (true) {
        const left = 2 * i + 1
        const right = left + 1
        let best = i
        if (left < heap.length && this.before(heap[left]!, heap[best]!)) best = left
        if (right < heap.length && this.before(heap[right]!, heap[best]!)) best = right
        if (best === i) break
        ;[heap[i], heap[best]] = [heap[best]!, heap[i]!]
        i = best
      }
    }
    return top
  }

  restore(entry: Handed<A>): void {
    const heap = this.heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  clear(): number {
    const dropped = this.heap.length
    this.heap.length = 0
    return dropped
  }
}
