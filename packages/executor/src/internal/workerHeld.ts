import type * as Telemetry from "@fiberkit/sync/Telemetry"
import { before } from "./fiberPoolJobs.js"
import * as Protocol from "./workerProtocol.js"
import type { CallJob, Sent } from "./workerSlot.js"

/** A clock shared by every worker's calls: which of two events came first (see `busySince`). */
let clock = 0

/**
 * The calls one worker holds: sent to it and not answered yet, oldest first (it answers in
 * order), each in a shared-memory cell of its own that decides, with a compare-and-swap and no
 * message, whether it starts there or not at all. A cell is reused only once its call's reply has
 * arrived.
 *
 * Of the calls it holds, the pool counts the first open one (see `Sent.open`) as running and the
 * others as pending: the worker runs one call at a time, in order, and the pool hears of a start
 * only through the reply to the call before — so a call sent ahead of the worker's replies still
 * waits, and the pool may take it back (`takeBack`) for a call of higher priority, a shrink, an
 * idle worker, or `dropOldest`.
 *
 * @internal
 */
export class HeldCalls {
  /** Sent and not answered yet, oldest first (the worker answers in order). */
  sent: Array<Sent> = []
  sentHead = 0
  seq = 0
  /** Cells not holding an unanswered call. */
  readonly freeCells: Array<number> = Array.from({ length: Protocol.CELLS }, (_, i) => Protocol.CELLS - 1 - i)
  /** Calls taken in the worker's life, for `maxTasksPerWorker`. */
  taken = 0
  /** Entries open: held by the worker as far as the pool knows. */
  open = 0
  /** Those of them that `maxPending` bounds. */
  private openBounded = 0
  /**
   * The call held that goes last in line (by rank, then submission order), or one that went
   * before it and has left since: a call that does not go before it goes before none held.
   */
  private last: CallJob | undefined = undefined
  /**
   * Since when (`performance.now()`) the pool has heard nothing from the worker while it held
   * calls: when it was sent a call while holding none, or when its last reply came.
   */
  headSince = 0
  /** When (`clock`) it was last sent a call while holding none. */
  busySince = 0
  /** When (`clock`) it last became free for a call: ready, or holding none any more. */
  freeSince = 0

  /**
   * The pool's metrics, if on: `fiberkit_running` counts the calls held open (sent, not answered,
   * not taken back), and a call's wait ends when it is sent.
   */
  instrument: Telemetry.Instrument | undefined = undefined

  constructor(readonly cells: Int32Array) {}

  /** Sent and not answered yet (calls taken back included, until the worker's reply frees their cells). */
  get inFlight(): number {
    return this.sent.length - this.sentHead
  }

  /** Records `job` as sent in a free cell (there must be one), marked QUEUED. */
  add(job: CallJob, sentAt: number): Sent {
    const cell = this.freeCells.pop()!
    Atomics.store(this.cells, cell, Protocol.QUEUED)
    const sent: Sent = { job, held: this, seq: this.seq++, cell, moved: false, cancelled: false, open: true, sentAt }
    if (this.open === 0) {
      this.headSince = performance.now()
      this.busySince = ++clock
    }
    this.sent.push(sent)
    this.taken++
    this.open++
    this.instrument?.started(sentAt - job.queuedAt)
    if (job.bounded) this.openBounded++
    if (this.last === undefined || before(this.last, job)) this.last = job
    job.sent = sent
    return sent
  }

  /** The oldest unanswered entry, taken out: its reply arrived (or the worker is gone), its cell is free again. */
  shift(): Sent | undefined {
    if (this.sentHead >= this.sent.length) return undefined
    const sent = this.sent[this.sentHead++]!
    this.freeCells.push(sent.cell)
    this.release(sent)
    if (this.sentHead === this.sent.length) {
      this.sent = []
      this.sentHead = 0
    }
    return sent
  }

  /** Forgets an entry whose message could not be posted: the worker never had it. */
  unsend(sent: Sent): void {
    this.sent.splice(this.sent.indexOf(sent, this.sentHead), 1)
    this.freeCells.push(sent.cell)
    this.taken--
    this.release(sent)
  }

  /** The entry is no longer held (answered, taken back, or cancelled before it started). */
  release(sent: Sent): void {
    if (!sent.open) return
    sent.open = false
    this.open--
    this.instrument?.stopped()
    if (sent.job.bounded) this.openBounded--
    if (this.open === 0) {
      this.last = undefined
      this.freeSince = ++clock
    }
    if (sent.job.sent === sent) sent.job.sent = undefined
  }

  /** The worker has become ready: free for a call as of now. */
  markFree(): void {
    this.freeSince = ++clock
  }

  /** The entry the worker runs, as far as the pool knows: the oldest one open. */
  head(): Sent | undefined {
    if (this.open === 0) return undefined
    for (let at = this.sentHead; at < this.sent.length; at++) {
      if (this.sent[at]!.open) return this.sent[at]
    }
    return undefined
  }

  /** Calls held and waiting behind the one it runs. */
  get waiting(): number {
    return this.open > 0 ? this.open - 1 : 0
  }

  /** Those of them that `maxPending` bounds. */
  get waitingBounded(): number {
    if (this.open === 0) return 0
    return this.head()!.job.bounded ? this.openBounded - 1 : this.openBounded
  }

  /** Whether `job` may go before calls held here, the first included (false: it goes before none of them). */
  outranks(job: CallJob): boolean {
    return this.open > 0 && this.last !== undefined && before(job, this.last)
  }

  /** The entries open, oldest first: the one it runs (`withHead`) and those waiting behind it. */
  openEntries(withHead: boolean): Array<Sent> {
    const head = this.head()
    const entries: Array<Sent> = []
    for (let at = this.sentHead; at < this.sent.length; at++) {
      const sent = this.sent[at]!
      if (sent.open && (withHead || sent !== head)) entries.push(sent)
    }
    return entries
  }

  /**
   * Marks `sent` cancelled if it has not started (a compare-and-swap on its cell: the worker then
   * skips it, and its SKIPPED reply frees the cell); false if it has.
   */
  skip(sent: Sent): boolean {
    if (Atomics.compareExchange(this.cells, sent.cell, Protocol.QUEUED, Protocol.CANCELLED) !== Protocol.QUEUED) {
      return false
    }
    this.release(sent)
    return true
  }

  /**
   * Takes `sent` back if it has not started, to go elsewhere: the worker skips it, its reply
   * settles nothing, and it no longer counts towards `maxTasksPerWorker`. False if it has started.
   */
  takeBack(sent: Sent): boolean {
    if (!this.skip(sent)) return false
    sent.moved = true
    this.taken--
    return true
  }
}
