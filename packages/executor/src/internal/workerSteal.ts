import type { Thread } from "./workerPoolThread.js"
import * as Protocol from "./workerProtocol.js"
import type { Job, Sent } from "./workerSlot.js"

/**
 * The line is empty and a ready worker is idle while another — ready, or retiring (it takes no
 * more jobs, but may hold some behind a long task) — has jobs queued that it has not started: half
 * of those move back to the line (`requeue`), to be taken by the idle worker. A compare-and-swap
 * on each job's cell makes sure the busy worker skips it.
 *
 * @internal
 */
export const steal = (threads: ReadonlyArray<Thread>, requeue: (jobs: Array<Job>) => void): void => {
  if (!threads.some((thread) => thread.state === "ready" && thread.inFlight === 0)) return
  for (const victim of threads) {
    const queued: Array<Sent> = []
    for (let at = victim.sentHead; at < victim.sent.length; at++) {
      const sent = victim.sent[at]!
      if (!sent.moved && Atomics.load(victim.cells, sent.cell) === Protocol.QUEUED) queued.push(sent)
    }
    const moving: Array<Job> = []
    for (const sent of queued.slice(queued.length - Math.ceil(queued.length / 2))) {
      if (Atomics.compareExchange(victim.cells, sent.cell, Protocol.QUEUED, Protocol.CANCELLED) !== Protocol.QUEUED) {
        continue
      }
      sent.moved = true
      victim.taken--
      if (sent.job.future.unstart()) moving.push(sent.job)
    }
    if (moving.length > 0) requeue(moving)
  }
}
