import { before } from "./fiberPoolJobs.js"
import type { Thread } from "./workerPoolThread.js"
import type { CallJob, Sent } from "./workerSlot.js"

/**
 * Takes back, of the calls `thread` holds behind the one it runs, those `chosen` picks and that
 * have not started (a compare-and-swap on each cell makes sure the worker skips them); they go
 * back in line (`requeue`) in their places.
 */
const takeBack = (
  thread: Thread,
  chosen: (waiting: Array<Sent>) => Array<Sent>,
  requeue: (jobs: Array<CallJob>) => void
): void => {
  const moving: Array<CallJob> = []
  for (const sent of chosen(thread.held.waitingEntries())) {
    if (thread.held.takeBack(sent) && sent.job.unstart()) moving.push(sent.job)
  }
  if (moving.length > 0) requeue(moving)
}

/**
 * The line is empty and a ready worker is idle while another — ready, or retiring (it takes no
 * more jobs, but may hold some behind a long task) — has calls waiting behind the one it runs:
 * half of those move back to the line, to be taken by the idle worker.
 *
 * @internal
 */
export const steal = (threads: ReadonlyArray<Thread>, requeue: (jobs: Array<CallJob>) => void): void => {
  if (!threads.some((thread) => thread.state === "ready" && thread.inFlight === 0)) return
  for (const victim of threads) {
    takeBack(victim, (waiting) => waiting.slice(waiting.length - Math.ceil(waiting.length / 2)), requeue)
  }
}

/**
 * A call waits in line that goes before calls a worker holds behind the one it runs (a higher
 * priority came after they were sent): those go back in line, so that calls start by priority.
 *
 * @internal
 */
export const yieldTo = (
  best: CallJob,
  threads: ReadonlyArray<Thread | undefined>,
  requeue: (jobs: Array<CallJob>) => void
): void => {
  for (const thread of threads) {
    if (thread !== undefined && thread.held.outranks(best)) {
      takeBack(thread, (waiting) => waiting.filter((sent) => before(best, sent.job)), requeue)
    }
  }
}

/**
 * A shrink: every call a worker holds behind the one it runs goes back in line, so that none
 * starts until the surplus workers have retired.
 *
 * @internal
 */
export const recall = (threads: ReadonlyArray<Thread>, requeue: (jobs: Array<CallJob>) => void): void => {
  for (const thread of threads) takeBack(thread, (waiting) => waiting, requeue)
}
