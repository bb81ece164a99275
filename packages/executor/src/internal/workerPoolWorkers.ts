import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type { WorkerSpawnFailed } from "../Errors.js"
import type { FutureImpl } from "./future.js"
import { PendingLine } from "./pendingLine.js"
import type { Settings } from "./workerPoolOptions.js"
import { Thread } from "./workerPoolThread.js"
import { sendCalls } from "./workerSend.js"
import type { CallJob, WorkerRecording } from "./workerSlot.js"
import { recall, reclaim, rescue, steal, yieldTo } from "./workerSteal.js"
import type { ThreadHost } from "./workerThreadHost.js"

/**
 * A WorkerPool's worker threads and the line of calls waiting for one. Each worker has a slot,
 * its lane in a Timeline: a replacement takes the slot of the one it replaces, a worker started
 * by a grow the lowest free one below the size.
 *
 * The pool keeps `size` workers. A grow starts the missing ones; a shrink retires the surplus
 * between calls, never in the middle of one: it takes back the calls every worker holds behind the
 * one it runs, sends none while more workers are left than the size, and retires each surplus
 * worker once it holds no call (those still starting stop at once). So no call starts while as
 * many as the new size run, as on a `FiberPool`.
 *
 * Calls wait in one line, by priority then submission order. Without priorities (every rank 0),
 * each worker is sent calls ahead of its replies while it holds fewer than its depth; a worker that
 * runs out of work takes the first half of those another holds, and the calls held behind a long
 * call that go before the line's first go back in line while another worker can start them. Once
 * priorities are in play (a call of rank other than 0), a worker is sent a call only when it holds
 * none — the first of the line; a call that comes before one sent and not started takes its
 * place, and a worker that frees takes back a better one sent and not started (`reclaim`) — so
 * every call a worker starts is the first of all those not started (see `workerSteal.ts`).
 *
 * @internal
 */
export class Workers {
  readonly threads: Array<Thread | undefined> = []
  /** A slot whose last start failed is not tried again before the next submission. */
  private readonly blocked: Array<boolean> = []
  /** Threads that left their slot and have not ended yet (closing: their layer being released). */
  private readonly leaving = new Set<Thread>()
  /** Set once every worker has been ended: none starts any more. */
  stopped = false
  /** Why the last worker start failed. */
  private spawnFailure: WorkerSpawnFailed | undefined = undefined
  private scheduled = false
  /**
   * Priorities are in play — always with `aging`; otherwise while a call of rank other than 0 (a
   * priority) waits in line:
   * no call is sent ahead of a worker's replies, so that each call a worker starts is the first of
   * all those not started. Set by such a call as it comes, cleared by a dispatch that finds none.
   */
  private ranked = false
  /** A call of rank other than 0 has come: a call may go before one sent and not started (see `yieldTo`). */
  private prioritised = false
  /** The pool has `aging`: priorities are always in play (its first arrival may rank 0 too). */
  private readonly aged: boolean
  /** Slots left by workers to be replaced: a replacement takes its predecessor's slot (its Timeline lane). */
  private readonly vacated: Array<number> = []
  readonly line: PendingLine
  /** The pool, as its threads see it. */
  private readonly host: ThreadHost

  constructor(
    /** The workers the pool keeps: as made, or as last resized. */
    public size: number,
    private readonly settings: Settings,
    private readonly recording: WorkerRecording | undefined,
    private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>,
    settle: (future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>) => void,
    /** Whether the pool accepts no new task (then a worker that ends is replaced only while calls wait). */
    private readonly closed: () => boolean,
    /** Called after the counts change (the pool's watchers). */
    private readonly changed: () => void
  ) {
    this.aged = !settings.steering.ranking.isStrict
    this.line = new PendingLine(changed)
    this.line.instrument = recording?.instrument
    this.host = {
      settings,
      recording,
      settle,
      requeue: (jobs) => this.line.requeue(jobs),
      schedule: () => this.schedule(),
      vacate: (thread) => {
        if (this.threads[thread.slot] === thread) {
          this.threads[thread.slot] = undefined
          if (this.alive() < this.size) this.vacated.push(thread.slot)
        }
        if (thread.alive) this.leaving.add(thread)
      },
      exited: (thread) => this.leaving.delete(thread),
      startFailed: (thread, error) => {
        this.blocked[thread.slot] = true
        this.spawnFailure = error
        this.failIfNoWorker()
      }
    }
  }

  /**
   * Queues `job` and dispatches after the current synchronous run. With priorities in play, a call
   * that goes before one a worker has been sent and not started takes its place now, in the
   * caller's step: once `submit` returns, that one cannot start before it. The first ranked call
   * takes back every call the workers hold behind the one they run.
   */
  push(job: CallJob): void {
    if (this.aged || job.rank !== 0) {
      this.prioritised = true
      this.rank()
    }
    this.line.push(job)
    if (this.prioritised) this.takeBackFor(job)
    this.schedule()
  }

  /**
   * `best` goes before the calls sent to a worker and not started: those go back in line (see
   * `yieldTo`) — but only from a worker that can be sent `best` in their place, so that a take-back
   * never makes more calls wait (`maxPending` bounds them): none while the pool shrinks (nothing is
   * sent until the surplus has retired), none from a worker a shrink retires. One retired by
   * `maxTasksPerWorker` whose last call is taken back is below the max again: it serves again.
   */
  private takeBackFor(best: CallJob): void {
    if (this.alive() > this.size) return
    const takers = this.threads.filter((thread) => thread?.takesCalls === true)
    // a call `maxPending` does not bound (a map's, an effect's) takes a bounded one's place only
    // while the bound has room for it to wait
    const bound = this.settings.steering.maxPending
    yieldTo(
      best,
      takers,
      this.host.requeue,
      (job) => !job.bounded || best.bounded || bound === undefined || this.boundedPending() < bound
    )
    const max = this.settings.maxTasksPerWorker
    for (const thread of takers) if (max !== undefined && thread!.held.taken < max) thread!.reopen()
  }

  /** Priorities come into play: the calls the workers hold behind the one they run go back in line. */
  private rank(): void {
    if (this.ranked) return
    this.ranked = true
    recall(this.threads, this.host.requeue)
  }

  /** A submission: the slots whose last start failed may be tried again. */
  unblock(): void {
    this.blocked.fill(false)
  }

  // ---- counts ---------------------------------------------------------------------------

  /** Workers in their slots: starting, ready, or retiring with calls still to answer. */
  private alive(): number {
    let n = 0
    for (const thread of this.threads) if (thread !== undefined) n++
    return n
  }

  /** Workers that would start a call sent now: ready, holding none, with room (none while the pool shrinks). */
  private idle(): number {
    if (this.alive() > this.size) return 0
    let n = 0
    for (const thread of this.threads) {
      if (thread?.state === "ready" && thread.held.open === 0 && this.hasRoom(thread)) n++
    }
    return n
  }

  /**
   * Calls waiting: in line, or held by a worker behind the one it runs — but not those idle workers
   * take at the next dispatch (in line until then: calls made together travel together).
   */
  waiting(): number {
    let n = this.line.count - Math.min(this.idle(), this.line.count)
    for (const thread of this.threads) if (thread !== undefined) n += thread.held.waiting
    return n
  }

  /** Those of them that `maxPending` bounds (the calls about to start: the first in line, bounded or not). */
  waitingBounded(): number {
    let n = this.line.bounded - this.line.boundedAmongFirst(Math.min(this.idle(), this.line.count))
    for (const thread of this.threads) if (thread !== undefined) n += thread.held.waitingBounded
    return n
  }

  /** Calls the workers run: the first each one holds. */
  running(): number {
    let n = 0
    for (const thread of this.threads) if (thread !== undefined && thread.held.open > 0) n++
    return n
  }

  /** Whether a call submitted now would start at once: more idle workers than calls in line before it. */
  readonly callStartsNow = (): boolean => this.line.count < this.idle()

  /** Workers that serve: ready, or retiring with calls still to answer (not those still starting). */
  threadCount(): number {
    let n = 0
    for (const thread of this.threads) if (thread?.state === "ready" || thread?.state === "retiring") n++
    return n
  }

  /** Threads launched and not exited yet: in their slots, or gone from them and still closing (for tests). */
  threadsAlive(): number {
    let n = 0
    for (const thread of [...this.threads, ...this.leaving]) if (thread?.alive === true) n++
    return n
  }

  // ---- dispatch -------------------------------------------------------------------------

  /** Dispatches once after the current synchronous run, so that calls made together travel together. */
  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      this.dispatch()
    })
  }

  /**
   * Dispatches now rather than after the current run: the calls idle workers take leave the line,
   * so that what is left there (or held behind a running call) is what waits.
   */
  dispatchNow(): void {
    this.dispatch()
  }

  private dispatch(): void {
    if (this.stopped) return
    if (this.alive() > this.size) {
      this.shed()
      // the surplus still runs its last calls: nothing starts until it has retired
      if (this.alive() > this.size) return this.changed()
    }
    this.spawnMissing()
    if (this.aged || this.line.ranked > 0) this.rank() // a ranked call given back (a crash, a shrink)
    else this.ranked = false
    // calls given back by a worker (a crash, a shrink) may go before a call sent to another
    const best = this.ranked ? this.line.peek() as CallJob | undefined : undefined
    if (best !== undefined) this.takeBackFor(best)
    const ready: Array<Thread> = []
    const serving: Array<Thread> = [] // ready or retiring: those a job can be taken back from
    for (const thread of this.threads) {
      if (thread?.state === "ready") {
        ready.push(thread)
        serving.push(thread)
      } else if (thread?.state === "retiring") {
        serving.push(thread)
      }
    }
    if (ready.length === 0) {
      this.failIfNoWorker()
      return this.changed()
    }
    if (this.ranked) {
      const free = ready.filter((thread) => thread.held.open === 0 && this.hasRoom(thread))
      reclaim(free, this.threads, this.line.peek() as CallJob | undefined, this.host.requeue)
    } else {
      const now = performance.now()
      if (ready.some((thread) => this.hasRoom(thread) && !thread.stuck(now))) {
        rescue(serving, now, this.line.peek() as CallJob | undefined, this.host.requeue)
      }
      if (this.line.count === 0) steal(serving, this.host.requeue)
    }
    sendCalls(ready, this.line, (thread) => this.hasRoom(thread), this.recording, this.host.settle)
    const max = this.settings.maxTasksPerWorker
    for (const thread of ready) {
      if (max !== undefined && thread.held.taken >= max) thread.retire()
    }
    this.changed()
  }

  /** Whether a call of `rank` pushed now would take back calls sent and not started (see `push`). */
  takesBackFor(rank: number): boolean {
    return (this.prioritised || this.aged || rank !== 0) && this.alive() <= this.size
  }

  /** The pool's tasks that `maxPending` bounds and that wait: calls and effects (set by the pool). */
  boundedPending: () => number = () => this.waitingBounded()

  /** Whether `thread` may be sent a call: one ahead of its replies at most `depth()`; with priorities, none. */
  private hasRoom(thread: Thread): boolean {
    const max = this.settings.maxTasksPerWorker
    return (this.ranked ? thread.held.open === 0 : thread.inFlight < thread.depth()) &&
      thread.held.freeCells.length > 0 && (max === undefined || thread.held.taken < max)
  }

  /** Starts workers in free slots below the size while fewer are left (a closed pool: only while calls wait). */
  private spawnMissing(): void {
    if (this.closed() && this.line.count === 0) return
    for (const slot of this.freeSlots()) this.runFork(Effect.ignore(this.spawn(slot)))
  }

  /**
   * Slots for the workers missing below the size: first those left by workers to be replaced
   * (a replacement keeps its predecessor's lane), then the lowest free ones; never one whose last
   * start failed.
   */
  private freeSlots(): Array<number> {
    const missing = this.size - this.alive()
    const slots: Array<number> = []
    const free = (slot: number) => this.threads[slot] === undefined && !this.blocked[slot] && !slots.includes(slot)
    for (const slot of this.vacated.splice(0)) if (slots.length < missing && free(slot)) slots.push(slot)
    for (let slot = 0; slot < this.size && slots.length < missing; slot++) if (free(slot)) slots.push(slot)
    return slots
  }

  /** Retires surplus workers that hold no call: those still starting first, then the highest slots. */
  private shed(): void {
    let surplus = -this.size
    for (const thread of this.threads) if (thread?.state === "starting" || thread?.state === "ready") surplus++
    for (const state of ["starting", "ready"] as const) {
      for (let slot = this.threads.length - 1; slot >= 0 && surplus > 0; slot--) {
        const thread = this.threads[slot]
        if (thread?.state === state && thread.held.open === 0) {
          thread.dismiss()
          surplus--
        }
      }
    }
  }

  // ---- workers --------------------------------------------------------------------------

  /** Puts a new worker in `slot` and starts it. */
  private spawn(slot: number): Effect.Effect<void, WorkerSpawnFailed> {
    const thread = new Thread(slot, this.host)
    this.threads[slot] = thread
    return thread.start()
  }

  /**
   * Starts the first workers; fails if one cannot start (then every one is ended). The limit is
   * published once they all serve: a make that fails leaves the limit of a live pool of its name.
   */
  readonly start: Effect.Effect<void, WorkerSpawnFailed> = Effect.suspend(() =>
    Effect.forEach(Array.from({ length: this.size }, (_, slot) => slot), (slot) => this.spawn(slot), {
      discard: true,
      concurrency: "unbounded"
    })
  ).pipe(
    Effect.tap(() => Effect.sync(() => this.recording?.instrument?.limited(this.size))),
    Effect.tapError(() => this.stopAll)
  )

  /**
   * A grow: the size becomes `size` and the missing workers start, each in a fiber of its own
   * (returned: each ends once its worker serves, or failed to start). Calls go to each as soon as
   * it is ready.
   */
  grow(size: number): Array<Fiber.Fiber<void, WorkerSpawnFailed>> {
    this.resized(size)
    this.blocked.fill(false)
    const starts = this.freeSlots().map((slot) => this.runFork(this.spawn(slot)))
    this.schedule()
    return starts
  }

  /** A shrink: the calls held behind running ones go back in line, the surplus retires between calls. */
  shrink(size: number): void {
    this.resized(size)
    if (this.alive() > size) recall(this.threads.filter((thread) => thread !== undefined), this.host.requeue)
    this.dispatch()
  }

  private resized(size: number): void {
    this.size = size
    this.recording?.instrument?.limited(size)
  }

  /** No worker left and none starting: the line's jobs fail now instead of waiting for ever. */
  private failIfNoWorker(): void {
    const error = this.spawnFailure
    if (error === undefined || this.alive() > 0) return
    // the line is emptied before any job is settled: a fiber woken by a settlement runs at once,
    // and a call it submits then waits for the next dispatch (which tries the workers again)
    const failed: Array<CallJob> = []
    for (let job = this.line.next(); job !== undefined; job = this.line.next()) failed.push(job as CallJob)
    for (const job of failed) this.host.settle(job, Exit.fail(error))
  }

  /** Cancels, in this one step, the calls queued on a worker (see `Thread.cancelQueued`). */
  cancelQueued(): void {
    for (const thread of this.threads) thread?.cancelQueued()
  }

  /** Ends every worker now, and waits until every thread has ended: those closing already too. */
  readonly stopAll: Effect.Effect<void> = Effect.suspend(() => {
    this.stopped = true
    const threads = [...this.threads.filter((thread) => thread !== undefined), ...this.leaving]
    return Effect.forEach(threads, (thread) => thread.end(), { discard: true, concurrency: "unbounded" })
  })
}
