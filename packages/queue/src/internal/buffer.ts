import type * as Order from "effect/Order"

/**
 * Where a queue keeps its items: in arrival order (`@fiberkit/sync`'s `Fifo` ring, which has
 * this shape), most recent first (`Lifo`), or by priority. `shift` never runs on an empty buffer.
 *
 * @internal
 */
export interface Buffer<A> {
  readonly length: number
  push(item: A): void
  shift(): A
  clear(): number
}

/** A stack. @internal */
export class Lifo<A> implements Buffer<A> {
  private readonly items: Array<A> = []

  get length(): number {
    return this.items.length
  }

  push(item: A): void {
    this.items.push(item)
  }

  shift(): A {
    return this.items.pop()!
  }

  clear(): number {
    const dropped = this.items.length
    this.items.length = 0
    return dropped
  }
}

interface Entry<A> {
  readonly item: A
  readonly seq: number
}

/** A binary min-heap by `order`; equal items leave in the order they came. @internal */
export class Priority<A> implements Buffer<A> {
  private readonly heap: Array<Entry<A>> = []
  private seq = 0

  constructor(private readonly order: Order.Order<A>) {}

  get length(): number {
    return this.heap.length
  }

  private before(a: Entry<A>, b: Entry<A>): boolean {
    const c = this.order(a.item, b.item)
    return c < 0 || (c === 0 && a.seq < b.seq)
  }

  push(item: A): void {
    const heap = this.heap
    heap.push({ item, seq: this.seq++ })
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  shift(): A {
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
    return top.item
  }

  clear(): number {
    const dropped = this.heap.length
    this.heap.length = 0
    return dropped
  }
}
