import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { FiberPoolImpl } from "./fiberPool.js"
import type { Job } from "./fiberPoolJobs.js"
import type { FutureImpl } from "./future.js"

/**
 * A worker: a long-lived fiber that runs jobs one after another until none is left, then
 * retires. Cancelling a running job interrupts its worker, which settles the job as cancelled;
 * a replacement starts if jobs still wait. Workers are started with the context the pool was
 * made in, not forked from whichever fiber dispatches them (a fiber that dispatches may be
 * about to end; its children would be tied to it).
 *
 * @internal
 */
export const startWorker = (pool: FiberPoolImpl): void => {
  pool.active++
  const recording = pool.recording
  const instrument = pool.instrument
  const slot = recording === undefined ? -1 : recording.takeSlot()
  // the start of the job taken next: the end of the one before, or now for the first
  let startedAt = pool.now()
  // a job's end, reported to the recorder and the metrics; returns when it ended
  const report = (job: Job, exit: Exit.Exit<unknown, unknown>): number => {
    const endedAt = pool.now()
    recording?.record(job, slot, startedAt, endedAt, exit)
    if (instrument !== undefined) {
      instrument.stopped()
      instrument.ran(endedAt - Math.max(startedAt, job.queuedAt))
      instrument.ended(Telemetry.outcomeOf(exit))
    }
    return endedAt
  }
  const worker: { job: Job | undefined; idle: boolean } = { job: undefined, idle: false }
  // made once per worker, not per job: what cancels the job it runs, and what follows a job
  let interrupt: ((future: FutureImpl<unknown, unknown>) => void) | undefined = undefined
  const afterJob = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
    const job = worker.job!
    if (recording !== undefined || instrument !== undefined) startedAt = report(job, exit)
    // settled and forgotten in the step the job ended in: a cancel that arrives now finds the
    // job done, or its interruption ends this worker before it takes another job
    pool.settle(job, exit)
    worker.job = undefined
    return loop
  }
  // runFork starts running the worker at once, so it finds its own fiber for `cancel` itself
  const loop: Effect.Effect<void> = Effect.withFiber((fiber) => {
    // one worker too many after a shrink: it retires between jobs, never in the middle of one
    const job = pool.active > pool.concurrency ? undefined : pool.next()
    if (job === undefined) {
      fiber.setContext(pool.context)
      if (!worker.idle && pool.active <= pool.concurrency) {
        // out of work: look once more after the caller's next steps, before retiring. On
        // Effect 4 a worker runs at once, inside the `submit` that starts it: without this a
        // caller submitting many tasks would start a fiber for each, which runs its one task
        // and retires before the next `submit`
        worker.idle = true
        pool.idleWorkers++
        pool.watchers.check() // a submit waiting for room may go to this worker now
        return Effect.andThen(Effect.yieldNow, loop)
      }
      if (worker.idle) pool.idleWorkers--
      pool.active-- // retire: decided in the same step as finding no job, so no job is stranded
      if (recording !== undefined) recording.freeSlot(slot)
      // a surplus that retires may make room (another idle worker becomes a taker, or a place frees)
      pool.watchers.check()
      return Effect.void
    }
    if (worker.idle) {
      worker.idle = false
      pool.idleWorkers--
    }
    worker.job = job
    // a job queued while its worker looked once more started when it was queued, not before
    instrument?.started(startedAt - job.queuedAt)
    job.attach(
      interrupt ??= (future) => {
        // only the job it runs now: a late cancel must not hit the next one
        if (worker.job === future) fiber.interruptUnsafe(fiber.id)
      }
    )
    // the job runs with its caller's context, as a fiber the caller forked would
    fiber.setContext(job.context ?? pool.context)
    return Effect.flatMap(Effect.exit(job.run!), afterJob)
  })
  pool.runFork(Effect.onExit(loop, (exit) => {
    if (Exit.isSuccess(exit)) return Effect.void
    // interrupted (a cancel): settle the job it was running, then let another worker take over
    pool.active--
    const job = worker.job
    if (job !== undefined && (recording !== undefined || instrument !== undefined)) report(job, exit)
    recording?.freeSlot(slot)
    return Effect.sync(() => {
      if (job !== undefined) pool.settle(job, exit)
      pool.dispatch()
    })
  }))
}
