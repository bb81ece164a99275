import { before } from "./fiberPoolJobs.js"
import type { Thread } from "./workerPoolThread.js"
import type { CallJob, Sent } from "./workerSlot.js"

/**
 * Takes back, of the calls `thread` holds (the one it runs included with `withHead`, else only
 * those behind it), those `chosen` picks and that have not started (a compare-and-swap on each cell
 * makes sure the worker skips them); they go back in line (`requeue`) in their places.
 */
const takeBack = (
  thread: Thread,
  withHead: boolean,
  chosen: (entries: Array<Sent>) => Array<Sent>,
  requeue: (jobs: Array<CallJob>) => void
): void => {
  const moving: Array<CallJob> = []
  for (const sent of chosen(thread.held.openEntries(withHead))) {
    if (thread.held.takeBack(sent) && sent.job.unstart()) moving.push(sent.job)
  }
  if (moving.length > 0) requeue(moving)
}

/**
 * Calls sent ahead (a pool without priorities; see `Workers`). The line is empty and a ready
 * worker is idle while another — ready, or retiring (it takes no more jobs, but may hold some
 * behind a long task) — has calls waiting behind the one it runs: the first half of those (the
 * oldest) move back to the line, to be taken by the idle worker.
 *
 * @internal
 */
export const steal = (threads: ReadonlyArray<Thread>, requeue: (jobs: Array<CallJob>) => void): void => {
  if (!threads.some((thread) => thread.state === "ready" && thread.inFlight === 0)) return
  for (const victim of threads) {
    takeBack(victim, false, (waiting) => waiting.slice(0, Math.ceil(waiting.length / 2)), requeue)
  }
}

/**
 * Calls sent ahead (a pool without priorities). A worker is stuck on a long call (see
 * `Thread.stuck`) while another could start more: the calls it holds behind that call that go
 * before the line's first (`first`; every one when the line is empty) move back to the line, so
 * that they start before later calls, on a worker that is free for them.
 *
 * @internal
 */
export const rescue = (
  threads: ReadonlyArray<Thread>,
  now: number,
  first: CallJob | undefined,
  requeue: (jobs: Array<CallJob>) => void
): void => {
  for (const victim of threads) {
    if (victim.stuck(now)) {
      takeBack(
        victim,
        false,
        (waiting) => first === undefined ? waiting : waiting.filter((sent) => before(sent.job, first)),
        requeue
      )
    }
  }
}

/**
 * Priorities in play: each worker holds at most one call, sent when it held none. `best` waits in
 * line and goes before a call a worker has been sent and has not started: that call goes back in
 * line, so that calls start by priority — if it `mayWait` (room under `maxPending`).
 *
 * @internal
 */
export const yieldTo = (
  best: CallJob,
  threads: ReadonlyArray<Thread | undefined>,
  requeue: (jobs: Array<CallJob>) => void,
  mayWait: (job: CallJob) => boolean
): void => {
  for (const thread of threads) {
    if (thread !== undefined && thread.held.outranks(best)) {
      takeBack(thread, true, (open) => open.filter((sent) => before(best, sent.job) && mayWait(sent.job)), requeue)
    }
  }
}

/**
 * Every call a worker holds behind the one it runs goes back in line: a shrink (none starts until
 * the surplus workers have retired), or priorities coming into play (no call waits on a worker).
 *
 * @internal
 */
export const recall = (threads: ReadonlyArray<Thread | undefined>, requeue: (jobs: Array<CallJob>) => void): void => {
  for (const thread of threads) if (thread !== undefined) takeBack(thread, false, (waiting) => waiting, requeue)
}

/**
 * Priorities in play: a worker free for a call (`free`: ready, holding none) starts the best of
 * all the calls not started, also one sent to another worker whose thread has not started it (busy
 * outside our calls). A call has started once its worker has marked its cell STARTED: until then
 * even the first call a worker holds, which the pool counts as running, may go back in line (the
 * compare-and-swap `yieldTo` uses). Taken back, as many as workers are free: the calls that go
 * before the line's first (`first`), best first, held for over a millisecond by workers that were
 * sent them while the free ones were busy — so a call never goes back and forth between workers.
 *
 * @internal
 */
export const reclaim = (
  free: ReadonlyArray<Thread>,
  threads: ReadonlyArray<Thread | undefined>,
  first: CallJob | undefined,
  requeue: (jobs: Array<CallJob>) => void
): void => {
  if (free.length === 0) return
  const freedAt = Math.max(...free.map((thread) => thread.held.freeSince))
  const now = performance.now()
  const holders: Array<Thread> = []
  for (const thread of threads) {
    if (thread === undefined || thread.held.open === 0) continue
    if (thread.held.busySince > freedAt || now - thread.held.headSince <= 1) continue
    if (first === undefined || before(thread.held.head()!.job, first)) holders.push(thread)
  }
  holders.sort((a, b) => before(a.held.head()!.job, b.held.head()!.job) ? -1 : 1)
  let places = free.length
  for (const thread of holders) {
    if (places === 0) break
    const open = thread.held.open
    takeBack(thread, true, (entries) => entries.slice(0, 1), requeue)
    if (thread.held.open < open) places--
  }
}
