import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Semaphore from "effect/Semaphore"
import type { InvalidOptions, WorkerSpawnFailed } from "../Errors.js"
import type { FiberPoolImpl } from "./fiberPool.js"
import { badSize } from "./workerPoolOptions.js"
import type { Workers } from "./workerPoolWorkers.js"

/**
 * `WorkerPool.resize`: one at a time (a second waits for the first, under `lock`). The size of
 * the workers and of the FiberPool of main-thread effects changes at once. A shrink returns at
 * once: the surplus retires between calls. A grow starts the missing workers and returns once
 * each serves — calls go to each as soon as it is ready; if one cannot start, or the resize is
 * interrupted meanwhile, the pool goes back to its old size as a shrink does (workers still
 * starting stop; the surplus, new or old, retires between calls) and the resize fails with the
 * `WorkerSpawnFailed` (or is interrupted). A pool whose workers have been ended (its scope
 * closed) resizes nothing.
 *
 * @internal
 */
export const resizePool = (
  workers: Workers,
  fibers: FiberPoolImpl,
  lock: Semaphore.Semaphore,
  size: number
): Effect.Effect<void, InvalidOptions | WorkerSpawnFailed> => {
  const bad = badSize("WorkerPool.resize", size)
  if (bad !== undefined) return Effect.fail(bad)
  return lock.withPermits(1)(Effect.uninterruptibleMask((restore) =>
    Effect.suspend(() => {
      const before = workers.size
      if (workers.stopped || size === before) return Effect.void
      fibers.setConcurrency(size)
      if (size < before) {
        workers.shrink(size)
        return Effect.void
      }
      const starts = workers.grow(size)
      const back = Effect.sync(() => {
        if (workers.stopped) return
        fibers.setConcurrency(before)
        workers.shrink(before)
      })
      return restore(Fiber.awaitAll(starts)).pipe(
        Effect.onInterrupt(() => back),
        Effect.flatMap((exits) => {
          const failed = exits.find(Exit.isFailure)
          // ended by the pool's close: nothing to go back to
          return failed === undefined || workers.stopped ? Effect.void : Effect.andThen(back, failed)
        })
      )
    })
  ))
}
