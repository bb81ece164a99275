import type { WorkerError } from "@effect/platform/WorkerError"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as WorkerThreads from "node:worker_threads"
import type { FutureImpl } from "./future.js"
import * as Protocol from "./workerProtocol.js"
import { type CallImpl, defectCodec } from "./workerTask.js"

/** A call waiting in the pool's line, or sent to a worker. */
/** @internal */
export interface Job {
  readonly future: FutureImpl<unknown, unknown>
  readonly call: CallImpl<unknown, unknown>
  /** When it was submitted, on the recorder's clock (0 without a recorder); kept when it is requeued. */
  readonly queuedAt: number
}

/** A job sent to a worker: its number there and its shared cell. */
/** @internal */
export interface Sent {
  readonly job: Job
  readonly seq: number
  readonly cell: number
  /** Taken back before it started, to run on another worker: its SKIPPED reply settles nothing. */
  moved: boolean
  /** Cancelled while it ran: the worker is terminated, and the job ends interrupted rather than crashed. */
  cancelled: boolean
  /** When it was sent, on the recorder's clock (0 without a recorder). */
  readonly sentAt: number
}

/**
 * One worker thread. It is sent up to `depth()` jobs ahead of its replies — two for long tasks
 * (the rest of the queue stays in the pool, where any free worker takes from it), up to
 * `Protocol.CELLS` for tasks of a few microseconds (so one message carries many).
 */
export class Thread {
  state: "starting" | "ready" | "retiring" | "stopped" = "starting"
  worker: WorkerThreads.Worker | undefined = undefined
  send: ((message: Protocol.Request) => void) | undefined = undefined
  fiber: Fiber.RuntimeFiber<never, WorkerError> | undefined = undefined
  readonly buffer = new SharedArrayBuffer(Protocol.CELLS * Int32Array.BYTES_PER_ELEMENT)
  readonly cells = new Int32Array(this.buffer)
  readonly ready = Deferred.unsafeMake<void, string>(FiberId.none)
  /** Sent and not answered yet, oldest first (the worker answers in order). */
  sent: Array<Sent> = []
  sentHead = 0
  seq = 0
  /** Cells not holding an unanswered job. A cell is free again once its job's reply arrived. */
  readonly freeCells: Array<number> = Array.from({ length: Protocol.CELLS }, (_, i) => Protocol.CELLS - 1 - i)
  /** Jobs taken in its life, for `maxTasksPerWorker`. */
  taken = 0
  /** Moving average of its tasks' run time; 0 before the first. */
  micros = 0

  constructor(readonly slot: number) {}

  get inFlight(): number {
    return this.sent.length - this.sentHead
  }

  /**
   * Two at least: the next job is already there when one ends, so a worker never waits a round
   * trip between long tasks (an idle worker takes queued jobs back, see `steal`). Short tasks:
   * about a millisecond of work ahead.
   */
  depth(): number {
    if (this.micros === 0) return 2
    return Math.max(2, Math.min(Protocol.CELLS, Math.floor(1000 / this.micros)))
  }

  /** The oldest unanswered job (its reply arrived: its cell is free again). */
  shift(): Sent | undefined {
    if (this.sentHead >= this.sent.length) return undefined
    const sent = this.sent[this.sentHead++]!
    this.freeCells.push(sent.cell)
    if (this.sentHead === this.sent.length) {
      this.sent = []
      this.sentHead = 0
    }
    return sent
  }
}

/**
 * What a pool made under a recorder reports: each call that ran on a worker thread, on the lane
 * of its worker's slot (a replacement worker takes the slot of the one it replaces, so a chart
 * has at most `size` rows).
 *
 * A worker is sent jobs ahead of its replies, so the moment a job was sent is not when it
 * started: its start is the latest of when it was sent, when the job before it on the same slot
 * ended, and its end minus the run time the worker measured. Records on one lane never overlap.
 *
 * @internal
 */
export class WorkerRecording {
  /** When the last job recorded on each slot ended. */
  private readonly lastEnded: Array<number>

  constructor(readonly recorder: Recorder.Recorder, readonly group: string, size: number) {
    this.lastEnded = new Array(size).fill(Number.NEGATIVE_INFINITY)
  }

  /** `runMillis`: the run time the worker measured; `undefined` when it did not reply (a crash, a cancel). */
  record(slot: number, sent: Sent, exit: Exit.Exit<unknown, unknown>, runMillis: number | undefined): void {
    const endedAt = this.recorder.now()
    const earliest = Math.max(sent.sentAt, this.lastEnded[slot]!)
    const startedAt = Math.min(endedAt, runMillis === undefined ? earliest : Math.max(earliest, endedAt - runMillis))
    this.lastEnded[slot] = endedAt
    const job = sent.job
    this.recorder.record({
      source: "WorkerPool",
      group: this.group,
      lane: `worker ${slot}`,
      label: `${job.call.task.name}#${job.future.id}`,
      queuedAt: Math.min(job.queuedAt, startedAt),
      startedAt,
      endedAt,
      outcome: Recorder.outcomeOf(exit)
    })
  }
}

/** @internal */
export const describeExit = (exit: Exit.Exit<unknown, WorkerError>): string => {
  if (Exit.isSuccess(exit)) return "it stopped"
  if (Cause.isInterruptedOnly(exit.cause)) return "it was stopped"
  const error = Cause.squash(exit.cause) as { readonly cause?: unknown }
  const cause = error?.cause ?? error
  return cause instanceof Error ? cause.message : String(cause)
}

/** The exit a worker's reply stands for, decoded with the task's schemas. @internal */
export const decode = (
  call: CallImpl<unknown, unknown>,
  status: number,
  value: unknown
): Exit.Exit<unknown, unknown> => {
  try {
    switch (status) {
      case Protocol.SUCCEEDED:
        return Exit.succeed(call.task.successCodec.decode(value))
      case Protocol.FAILED:
        return Exit.fail(call.task.failureCodec.decode(value))
      case Protocol.DIED:
        return Exit.die(defectCodec.decode(value))
      default:
        return Exit.interrupt(FiberId.none)
    }
  } catch (error) {
    return Exit.die(error)
  }
}
