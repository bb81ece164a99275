import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import type * as Telemetry from "@fiberkit/sync/Telemetry"
import type { Watchers } from "@fiberkit/sync/Watchers"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { PoolShutDown } from "../Errors.js"
import { type Job, JobLine } from "./fiberPoolJobs.js"
import type { Steering } from "./fiberPoolSteering.js"
import type { FutureImpl } from "./future.js"

/**
 * A pool's line of pending jobs (by rank, then submission order) and its counts, kept as jobs come
 * and go rather than scanned: the jobs not started and not cancelled, and those of them that
 * `maxPending` bounds (`bounded`: submitted with `submit`). Jobs cancelled while pending stay in
 * the line until they reach its front, and are skipped there.
 *
 * @internal
 */
export class PendingLine {
  private readonly jobs = new JobLine()
  /** Jobs in line not started and not cancelled. */
  count = 0
  /** Those of them counted by `maxPending`. */
  bounded = 0
  /** Those of them of rank other than 0 (a priority, or aging). */
  ranked = 0
  /** The pool's metrics, if on: `fiberkit_pending` follows `count`. */
  instrument: Telemetry.Instrument | undefined = undefined

  /** @param cancelled called after a job cancelled while pending has left the counts. */
  constructor(private readonly cancelled: () => void) {}

  push(job: Job): void {
    this.jobs.push(job)
    this.add(job)
    job.onCancelledPending = this.left
  }

  /** Puts back jobs that were taken out and never started (see `JobLine.requeue`). */
  requeue(jobs: ReadonlyArray<Job>): void {
    this.jobs.requeue(jobs)
    for (const job of jobs) this.add(job)
  }

  private add(job: Job): void {
    this.count++
    this.instrument?.queued()
    if (job.bounded) this.bounded++
    if (job.rank !== 0) this.ranked++
  }

  /** Takes `job` out of the counts (it started, was cancelled, or was dropped). */
  uncount(job: Job): void {
    this.count--
    this.instrument?.dequeued()
    if (job.bounded) this.bounded--
    if (job.rank !== 0) this.ranked--
  }

  private readonly left = (job: FutureImpl<unknown, unknown>): void => {
    this.uncount(job as Job)
    this.instrument?.ended("interrupted")
    this.cancelled()
  }

  /** The first `k` pending jobs in line, in order (those about to start on `k` free workers). */
  firstPending(k: number): Array<Job> {
    return k <= 0 ? [] : this.jobs.first(k, (job) => job.isPending)
  }

  /** How many of the first `k` pending jobs in line `maxPending` bounds. */
  boundedAmongFirst(k: number): number {
    if (k <= 0 || this.bounded === 0) return 0
    if (this.bounded === this.count) return Math.min(k, this.count)
    let n = 0
    for (const job of this.firstPending(k)) if (job.bounded) n++
    return n
  }

  /** The first pending job, left in line (those cancelled meanwhile are dropped from its front). */
  peek(): Job | undefined {
    while (this.jobs.length > 0) {
      const job = this.jobs.peek()
      if (job.isPending) return job
      this.jobs.shift()
    }
    return undefined
  }

  /** The next job, started and out of the counts (no one is told: the caller tells its watchers). */
  next(): Job | undefined {
    while (this.jobs.length > 0) {
      const job = this.jobs.shift()
      if (job.start()) {
        this.uncount(job)
        return job
      }
    }
    return undefined
  }
}

/** The task `admit` lets in: its rank, and whether it is a call for the worker threads. @internal */
export interface Newcomer {
  readonly rank: number
  readonly call: boolean
}

/** A pool as `admit` sees it. @internal */
export interface Admission {
  readonly source: string
  readonly steering: Steering
  /** Its metrics, if on: a refused task counts as `"rejected"`. */
  readonly instrument: Telemetry.Instrument | undefined
  readonly watchers: Watchers
  readonly isClosed: () => boolean
  /** The pending tasks `maxPending` bounds. */
  readonly boundedPending: () => number
  /** Ends the oldest pending task `maxPending` bounds with `error`, never started; false if there is none. */
  readonly dropOldest: (error: PendingLimitExceeded, newcomer: Newcomer | undefined) => boolean
}

const poolShutDown = Effect.fail(new PoolShutDown())

/**
 * `submit`'s admission: a pool shut down refuses the task (`PoolShutDown`); a full line
 * (`maxPending` reached, and the task would not start at once: `startsNow`) waits for room,
 * refuses the task, or drops its oldest pending task, as `onFull` says; then `accept` queues it,
 * in the same step as the last check. A wait for room is interruptible, and checked again when it
 * ends (a shutdown ends it too).
 *
 * @internal
 */
export const admit = <A, E, R>(
  pool: Admission,
  startsNow: () => boolean,
  accept: (caller: Fiber.Fiber<unknown, unknown>) => Effect.Effect<A, E, R>,
  /** The newcomer: its rank, and whether it is a worker call (see `oldestBounded`, `WorkerPool.dropOldest`). */
  newcomer?: Newcomer
): Effect.Effect<A, E | PoolShutDown | PendingLimitExceeded, R> =>
  Effect.withFiber((caller) => {
    if (pool.isClosed()) {
      pool.instrument?.ended("rejected")
      return poolShutDown
    }
    const { maxPending, onFull } = pool.steering
    if (maxPending !== undefined && pool.boundedPending() >= maxPending && !startsNow()) {
      if (onFull === "wait") {
        const room = pool.watchers.until(() => pool.isClosed() || pool.boundedPending() < maxPending || startsNow())
        return Effect.andThen(room, admit(pool, startsNow, accept, newcomer))
      }
      const error = (dropped: boolean) =>
        new PendingLimitExceeded({ source: pool.source, maxPending, pending: pool.boundedPending(), dropped })
      // `"dropOldest"`: the oldest pending task ends with the error, never started, and its place
      // goes to the newcomer (no wake-up: the count dips only until the newcomer is queued, in this
      // same step); with nothing to drop, the newcomer is refused
      if (onFull === "fail" || !pool.dropOldest(error(true), newcomer)) {
        pool.instrument?.ended("rejected")
        return Effect.fail(error(false))
      }
    }
    return accept(caller)
  })
