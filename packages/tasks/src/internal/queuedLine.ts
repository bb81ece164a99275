import * as Fifo from "@fiberkit/sync/Fifo"

/** A task of a priority other than 0 in line, `seq` its order of arrival in the line. */
interface Ranked {
  readonly id: string
  readonly priority: number
  readonly seq: number
}

const before = (a: Ranked, b: Ranked): boolean =>
  a.priority > b.priority || (a.priority === b.priority && a.seq < b.seq)

/**
 * The ids of queued tasks in the order they are taken: the highest priority first, equal
 * priorities in order of arrival. Priority 0 — every task of a manager that never uses
 * priorities — is a plain `Fifo` (no object per task, nothing to compare); the others are a
 * binary heap by (priority, arrival). `shift` takes the first of both: the heap's top if its
 * priority is above 0, else the `Fifo`'s front, else the heap's top (a negative priority).
 * (The shape of executor's `JobLine`, for ids instead of jobs and higher-first priorities.)
 *
 * @internal
 */
export class QueuedLine {
  private readonly plain = new Fifo.Fifo<string>()
  private readonly ranked: Array<Ranked> = []
  private seq = 0

  get length(): number {
    return this.plain.length + this.ranked.length
  }

  push(id: string, priority: number): void {
    if (priority === 0) return this.plain.push(id)
    const entry: Ranked = { id, priority, seq: this.seq++ }
    const heap = this.ranked
    let i = heap.push(entry) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(entry, heap[parent]!)) break
      heap[i] = heap[parent]!
      i = parent
    }
    heap[i] = entry
  }

  /** The priority of the first id in line; `undefined` if the line is empty. */
  get firstPriority(): number | undefined {
    const top = this.ranked[0]
    if (top !== undefined && (top.priority > 0 || this.plain.length === 0)) return top.priority
    return this.plain.length > 0 ? 0 : undefined
  }

  /** The first id in line, taken out (the line must not be empty). */
  shift(): string {
    const top = this.ranked[0]
    if (top === undefined || (top.priority < 0 && this.plain.length > 0)) return this.plain.shift()
    const last = this.ranked.pop()!
    if (this.ranked.length > 0) this.siftDown(last)
    return top.id
  }

  private siftDown(entry: Ranked): void {
    const heap = this.ranked
    let i = 0
    for (;;) {
      let child = 2 * i + 1
      if (child >= heap.length) break
      if (child + 1 < heap.length && before(heap[child + 1]!, heap[child]!)) child++
      if (!before(heap[child]!, entry)) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = entry
  }
}
