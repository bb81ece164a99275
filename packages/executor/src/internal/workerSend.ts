import * as Exit from "effect/Exit"
import type { FutureImpl } from "./future.js"
import type { PendingLine } from "./pendingLine.js"
import type { Thread } from "./workerPoolThread.js"
import type { CallJob, WorkerRecording } from "./workerSlot.js"
import { pushTrace } from "./workerTrace.js"

/** Whether `a` is less loaded than `b`: holding no open call while `b` holds one, else fewer in flight. */
const lessLoaded = (a: Thread, b: Thread): boolean =>
  (a.held.open === 0) !== (b.held.open === 0) ? a.held.open === 0 : a.inFlight < b.inFlight

/**
 * Sends the calls in `line` to the `ready` workers, one at a time to the least loaded worker with
 * room, so that work spreads evenly — an idle one first (holding no open call, as the pool counts
 * idle workers: one whose replies for calls taken back or cancelled are still on their way is idle
 * too, and a call admitted as starting at once must go to it). The calls for one worker travel in
 * one message. A call whose payload cannot be encoded fails (`settle`). A call submitted under a
 * span takes its trace along (see `Protocol.RUN`), and starts its run as far as its spans go when
 * the worker holds no other.
 *
 * @internal
 */
export const sendCalls = (
  ready: ReadonlyArray<Thread>,
  line: PendingLine,
  hasRoom: (thread: Thread) => boolean,
  recording: WorkerRecording | undefined,
  settle: (future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>) => void
): void => {
  const batches = new Map<Thread, Array<unknown>>()
  // made for the first traced call: a pool whose calls have no span sends no trace entries
  let traces: Map<Thread, Array<unknown>> | undefined = undefined
  const sentAt = recording === undefined ? 0 : recording.now()
  for (;;) {
    let target: Thread | undefined = undefined
    for (const thread of ready) {
      if (hasRoom(thread) && (target === undefined || lessLoaded(thread, target))) target = thread
    }
    if (target === undefined) break
    const job = line.next() as CallJob | undefined
    if (job === undefined) break
    let payload: unknown
    try {
      payload = job.task.payloadCodec.encode(job.payload)
    } catch (error) {
      settle(job, Exit.die(error)) // a payload that cannot be encoded fails its call
      continue
    }
    const thread = target
    const idle = thread.held.open === 0
    const sent = thread.held.add(job, sentAt)
    job.attach(() => thread.cancel(sent))
    let batch = batches.get(thread)
    if (batch === undefined) batches.set(thread, batch = [])
    batch.push(sent.seq, sent.cell, job.task.name, payload)
    const trace = job.trace
    if (trace !== undefined) {
      trace.sentTo(thread.slot)
      if (idle) trace.started()
      traces ??= new Map()
      let entries = traces.get(thread)
      if (entries === undefined) traces.set(thread, entries = [])
      pushTrace(entries, sent.seq, trace)
    }
  }
  for (const [thread, batch] of batches) thread.send(batch, traces?.get(thread))
}
