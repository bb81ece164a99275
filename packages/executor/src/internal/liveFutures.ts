import type { FutureImpl } from "./future.js"

type Any = FutureImpl<unknown, unknown>

/**
 * The futures of a pool that have not settled: a doubly linked list through the futures
 * themselves (a future is in one pool's list at most), so that adding and removing one allocates
 * nothing and hashes nothing, whatever the number of tasks pending. Iteration is in submission
 * order; a loop that settles futures as it goes iterates over a copy (`[...live]`).
 *
 * @internal
 */
export class LiveFutures implements Iterable<Any> {
  private head: Any | undefined = undefined
  private tail: Any | undefined = undefined
  size = 0

  add(future: Any): void {
    future.live = this
    future.livePrev = this.tail
    future.liveNext = undefined
    if (this.tail === undefined) this.head = future
    else this.tail.liveNext = future
    this.tail = future
    this.size++
  }

  delete(future: Any): void {
    if (future.live !== this) return
    const { liveNext: next, livePrev: prev } = future
    if (prev === undefined) this.head = next
    else prev.liveNext = next
    if (next === undefined) this.tail = prev
    else next.livePrev = prev
    // unlinked: a settled future a caller keeps holds on to no other
    future.live = future.livePrev = future.liveNext = undefined
    this.size--
  }

  get first(): Any | undefined {
    return this.head
  }

  *values(): IterableIterator<Any> {
    for (let future = this.head; future !== undefined; future = future.liveNext) yield future
  }

  [Symbol.iterator](): IterableIterator<Any> {
    return this.values()
  }
}
