import * as Recorder from "@fiberkit/sync/Recorder"
import type * as Telemetry from "@fiberkit/sync/Telemetry"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { Job } from "./fiberPoolJobs.js"
import type { HeldCalls } from "./workerHeld.js"
import * as Protocol from "./workerProtocol.js"
import { type AnyTask, type CallImpl, defectCodec } from "./workerTask.js"
import type { CallTrace } from "./workerTrace.js"

/**
 * A call waiting in the pool's line, or sent to a worker: a job of the pool's line (by rank, then
 * submission order), which is its own future. It keeps its task (a definition shared by every
 * call) once settled, and forgets its payload then, as every job forgets what it runs.
 *
 * @internal
 */
export class CallJob extends Job {
  readonly task: AnyTask
  /** Its place on the worker it was sent to, until it is answered or taken back. */
  sent: Sent | undefined = undefined

  constructor(
    id: number,
    call: CallImpl<unknown, unknown, unknown>,
    queuedAt: number,
    rank: number,
    bounded: boolean,
    /** Its spans, when it was submitted under a span; ended (and forgotten) when it settles. */
    public trace: CallTrace | undefined = undefined
  ) {
    super(id, call as unknown as Effect.Effect<unknown, unknown>, undefined, queuedAt, rank, bounded)
    this.task = call.task
  }

  override settleNow(exit: Exit.Exit<unknown, unknown>, start?: (callbacks: Effect.Effect<void>) => void) {
    const trace = this.trace
    if (trace !== undefined) {
      // before its observers are told: a caller that resumes finds its spans ended
      this.trace = undefined
      trace.end(exit)
    }
    return super.settleNow(exit, start)
  }

  override unstart(): boolean {
    if (!super.unstart()) return false
    this.trace?.unstarted()
    return true
  }

  /** Its payload (read when it is sent: it has not settled yet). */
  get payload(): unknown {
    return (this.run as unknown as CallImpl<unknown, unknown, unknown>).payload
  }
}

/** A job sent to a worker: its number there and its shared cell. */
/** @internal */
export interface Sent {
  readonly job: CallJob
  /** The calls of the worker it was sent to. */
  readonly held: HeldCalls
  readonly seq: number
  readonly cell: number
  /** Taken back before it started, to run on another worker: its SKIPPED reply settles nothing. */
  moved: boolean
  /** Cancelled while it ran: the worker is terminated, and the job ends interrupted rather than crashed. */
  cancelled: boolean
  /**
   * The worker holds it, as far as the pool knows: not answered, not taken back, not cancelled
   * before it started. The first it holds runs; the others wait (they are pending).
   */
  open: boolean
  /** When it was sent, on the pool's clock (0 without a recorder or metrics). */
  readonly sentAt: number
}

/**
 * What a pool made under a recorder reports: each call that ran on a worker thread, on the lane
 * of its worker's slot (a replacement worker takes the slot of the one it replaces, and a worker
 * started by a grow the lowest free slot, so a chart has as many rows as the pool had workers at
 * its largest).
 *
 * A worker is sent jobs ahead of its replies, so the moment a job was sent is not when it
 * started: its start is the latest of when it was sent, when the job before it on the same slot
 * ended, and its end minus the run time the worker measured. Records on one lane never overlap.
 *
 * @internal
 */
export class WorkerRecording {
  /** When the last job recorded on each slot ended. */
  private readonly lastEnded: Array<number> = []
  readonly recorder: Recorder.Recorder | undefined
  readonly group: string
  /**
   * The pool's metrics, if on: its line's and its workers' (`HeldCalls`) counts move the gauges,
   * a call's run is timed here, and its outcome counted when the pool settles it.
   */
  readonly instrument: Telemetry.Instrument | undefined
  readonly now: () => number

  constructor(observers: Telemetry.Observers) {
    this.recorder = observers.recorder
    this.group = observers.group
    this.instrument = observers.instrument
    this.now = observers.now
  }

  /** `runMillis`: the run time the worker measured; `undefined` when it did not reply (a crash, a cancel). */
  record(slot: number, sent: Sent, exit: Exit.Exit<unknown, unknown>, runMillis: number | undefined): void {
    const endedAt = this.now()
    const earliest = Math.max(sent.sentAt, this.lastEnded[slot] ?? Number.NEGATIVE_INFINITY)
    const startedAt = Math.min(endedAt, runMillis === undefined ? earliest : Math.max(earliest, endedAt - runMillis))
    this.lastEnded[slot] = endedAt
    this.instrument?.ran(endedAt - startedAt)
    if (this.recorder === undefined) return
    const job = sent.job
    this.recorder.record({
      source: "WorkerPool",
      group: this.group,
      lane: `worker ${slot}`,
      label: `${job.task.name}#${job.id}`,
      queuedAt: Math.min(job.queuedAt, startedAt),
      startedAt,
      endedAt,
      outcome: Recorder.outcomeOf(exit)
    })
  }
}

/** The exit a worker's reply stands for, decoded with the task's schemas. @internal */
export const decode = (task: AnyTask, status: number, value: unknown): Exit.Exit<unknown, unknown> => {
  try {
    switch (status) {
      case Protocol.SUCCEEDED:
        return Exit.succeed(task.successCodec.decode(value))
      case Protocol.FAILED:
        return Exit.fail(task.failureCodec.decode(value))
      case Protocol.DIED:
        return Exit.die(defectCodec.decode(value))
      default:
        return Exit.interrupt()
    }
  } catch (error) {
    return Exit.die(error)
  }
}
