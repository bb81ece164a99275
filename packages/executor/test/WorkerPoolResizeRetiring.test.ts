/**
 * WorkerPool resize while a worker a shrink dismissed is still retiring (waiting for the replies to
 * calls taken back from it). Regression test (failed before its fix); the `stall` handshake makes
 * it deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import type * as Future from "../src/Future.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { eventually, logCells, tasks, within } from "./fixtures/steering.js"
import { admitFirst, log, stall } from "./fixtures/tasks.js"

/** The calls of the worker a future's call was sent to, or undefined (in line, or settled). */
const holder = (future: Future.Future<unknown, unknown>) => (future as unknown as CallJob).sent?.held

describe("WorkerPool resize during a retirement", { timeout: 60_000, concurrent: false }, () => {
  // README, Resize: "A grow starts the new worker threads ... and returns once all serve ... If
  // one cannot start ... the pool goes back to its old size ... and resize fails with
  // WorkerSpawnFailed". A grow that comes while a worker retired by the shrink before it is still
  // waiting for a reply (a call taken back from it) counts that worker as one of the size: it
  // starts nothing and returns at once. The retiring worker then ends, its replacement cannot
  // start (the initializer admits 2 workers only), and the pool is left with one worker at
  // `concurrency` 2, the resize having succeeded.
  it.live("a grow while a shrunk-away worker is still retiring starts its replacement, or fails", () => {
    const [s0, s1, admitted] = [cells(), cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: tasks,
          concurrency: 2,
          initializer: admitFirst({ cells: admitted, workers: 2 })
        })
        // both threads blocked outside any call, both idle for the pool
        const stalls = yield* Effect.all([pool.submit(stall(s0)), pool.submit(stall(s1))])
        for (const future of stalls) yield* within("a stall reply", future.result)
        yield* within("thread 0 blocked", started(s0))
        yield* within("thread 1 blocked", started(s1))
        // one call sent to each blocked worker, then cancelled: each still owes a SKIPPED reply
        const order = logCells()
        const sent = yield* Effect.all([
          pool.submit(log({ cells: order, tag: 1 })),
          pool.submit(log({ cells: order, tag: 2 }))
        ])
        yield* eventually(
          "both calls sent",
          Effect.sync(() => sent.every((future) => holder(future) !== undefined))
        )
        assert.notStrictEqual(holder(sent[0]), holder(sent[1]), "one call on each worker")
        for (const future of sent) yield* future.cancel
        yield* pool.resize(1) // the surplus worker retires, waiting for its SKIPPED reply
        const grow = yield* Effect.exit(pool.resize(2))
        yield* Effect.andThen(release(s0), release(s1))
        // the retiring worker ends once its reply comes; a replacement is tried (and refused)
        yield* eventually("a third start tried", Effect.sync(() => Atomics.load(admitted, 0) >= 3))
        yield* Effect.sleep("200 millis")
        const count = yield* pool.threadCount
        assert.isTrue(
          Exit.isFailure(grow) || count === 2,
          `resize(2) ${
            Exit.isSuccess(grow) ? "succeeded" : "failed"
          }; ${count} worker(s) serve at concurrency ${pool.concurrency}`
        )
      }).pipe(Effect.ensuring(Effect.andThen(release(s0), release(s1))))
    )
  })
})
