import * as Fifo from "@fiberkit/sync/Fifo"
import { Heap } from "@fiberkit/sync/Heap"
import * as Recorder from "@fiberkit/sync/Recorder"
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { FutureImpl } from "./future.js"

/**
 * A submitted task: its future, which carries what the worker needs to run it — one object per
 * pending task. `rank` is its place in line (lower first; 0 for a task without priority), `id`
 * its order of submission, and `order` its place among jobs of the same rank: its `id`, or an
 * earlier job's (a `map`'s later lanes keep the place of its first).
 *
 * @internal
 */
export class Job<A = unknown, E = unknown> extends FutureImpl<A, E> {
  constructor(
    id: number,
    /** What it runs: forgotten once settled, so a future kept by a caller does not keep it. */
    public run: Effect.Effect<A, E> | undefined,
    /** The context it runs with (its caller's; the pool's if none): forgotten once settled. */
    public context: Context.Context<never> | undefined,
    /** When it was submitted, on the recorder's clock (0 without a recorder). */
    readonly queuedAt: number,
    readonly rank: number,
    /** Submitted with `submit`: counted by `maxPending`, and the only kind `"dropOldest"` drops. */
    readonly bounded: boolean,
    readonly order: number = id
  ) {
    super(id)
  }

  override settleNow(exit: Exit.Exit<A, E>, start?: (callbacks: Effect.Effect<void>) => void) {
    // the effect and the caller's context (its services, its log annotations…) are no longer needed
    this.run = undefined
    this.context = undefined
    return super.settleNow(exit, start)
  }
}

/** Whether `job` goes before a job of `rank` and `order` in line. @internal */
export const precedes = (job: Job, rank: number, order: number): boolean =>
  job.rank < rank || (job.rank === rank && job.order < order)

/** Whether `a` goes before `b` in line: by rank, then submission order. @internal */
export const before = (a: Job, b: Job): boolean => precedes(a, b.rank, b.order)

/** A job of rank 0 in its own submission order: it joins the end of the plain line. */
const plain = (job: Job): boolean => job.rank === 0 && job.order === job.id

/**
 * The line of pending jobs: those of rank 0 in their own submission order in a `Fifo` (a pool
 * without priorities never pays for them), the others in a binary heap by (rank, order); `shift`
 * takes the first of both. Jobs
 * cancelled while pending stay until they reach the front, and are skipped there.
 *
 * @internal
 */
export class JobLine {
  private plain = new Fifo.Fifo<Job>()
  private readonly ranked = new Heap<Job>(before)

  get length(): number {
    return this.plain.length + this.ranked.length
  }

  push(job: Job): void {
    if (plain(job)) this.plain.push(job)
    else this.ranked.push(job)
  }

  /** The first job in line, left in it (the line must not be empty). */
  peek(): Job {
    const top = this.ranked.peek()
    return top === undefined || (this.plain.length > 0 && before(this.plain.peek()!, top)) ? this.plain.peek()! : top
  }

  /** The first job in line, taken out (the line must not be empty). */
  shift(): Job {
    const top = this.ranked.peek()
    if (top === undefined || (this.plain.length > 0 && before(this.plain.peek()!, top))) return this.plain.shift()
    return this.ranked.shift()
  }

  /**
   * Puts back jobs taken out earlier (a worker gave them back unstarted): each in its place, by
   * rank then submission order — those of rank 0 merged into the plain line, which stays in
   * submission order (a new line: rare, and O(n)).
   */
  requeue(jobs: ReadonlyArray<Job>): void {
    const back = jobs.filter(plain).sort((a, b) => a.id - b.id)
    for (const job of jobs) if (!plain(job)) this.push(job)
    if (back.length === 0) return
    const merged = new Fifo.Fifo<Job>()
    let at = 0
    while (this.plain.length > 0) {
      const next = this.plain.shift()
      while (at < back.length && back[at]!.id < next.id) merged.push(back[at++]!)
      merged.push(next)
    }
    while (at < back.length) merged.push(back[at++]!)
    this.plain = merged
  }

  /** The first `k` jobs in line for which `keep` holds, in order; the line is left as it was. */
  first(k: number, keep: (job: Job) => boolean): Array<Job> {
    const found: Array<Job> = []
    const lifted: Array<Job> = [] // taken off the heap to reach the next one, then pushed back
    let at = 0
    while (found.length < k) {
      const plain = at < this.plain.length ? this.plain.at(at) : undefined
      const top = this.ranked.peek()
      let job: Job
      if (top === undefined || (plain !== undefined && before(plain, top))) {
        if (plain === undefined) break
        job = plain
        at++
      } else {
        job = this.ranked.shift()
        lifted.push(job)
      }
      if (keep(job)) found.push(job)
    }
    for (const job of lifted) this.ranked.push(job)
    return found
  }

  /** Every job in line, in no particular order. */
  *[Symbol.iterator](): Iterator<Job> {
    for (let i = 0; i < this.plain.length; i++) yield this.plain.at(i)
    yield* this.ranked
  }
}

/**
 * What a pool made under a recorder reports: each job's times, outcome and worker. Workers are
 * numbered by the lowest free slot, so a chart has at most `concurrency` rows.
 *
 * @internal
 */
export class PoolRecording {
  private readonly slots: Array<boolean> = []
  /** `worker N` for each slot, made once. */
  private readonly lanes: Array<string> = []
  constructor(readonly recorder: Recorder.Recorder, readonly group: string) {}

  takeSlot(): number {
    let slot = this.slots.indexOf(false)
    if (slot < 0) {
      slot = this.slots.length
      this.lanes[slot] = `worker ${slot}`
    }
    this.slots[slot] = true
    return slot
  }

  freeSlot(slot: number): void {
    this.slots[slot] = false
  }

  record(job: Job, slot: number, startedAt: number, endedAt: number, exit: Exit.Exit<unknown, unknown>): void {
    this.recorder.record({
      source: "FiberPool",
      group: this.group,
      lane: this.lanes[slot],
      label: `#${job.id}`,
      queuedAt: job.queuedAt,
      startedAt,
      endedAt,
      outcome: Recorder.outcomeOf(exit)
    })
  }
}
