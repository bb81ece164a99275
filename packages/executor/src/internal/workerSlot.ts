import * as Recorder from "@fiberkit/sync/Recorder"
import * as Exit from "effect/Exit"
import type { FutureImpl } from "./future.js"
import * as Protocol from "./workerProtocol.js"
import { type CallImpl, defectCodec } from "./workerTask.js"

/** A call waiting in the pool's line, or sent to a worker. */
/** @internal */
export interface Job {
  readonly future: FutureImpl<unknown, unknown>
  readonly call: CallImpl<unknown, unknown, unknown>
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

/** The exit a worker's reply stands for, decoded with the task's schemas. @internal */
export const decode = (
  call: CallImpl<unknown, unknown, unknown>,
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
        return Exit.interrupt()
    }
  } catch (error) {
    return Exit.die(error)
  }
}
