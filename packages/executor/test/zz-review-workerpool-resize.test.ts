/**
 * Review of the WorkerPool steering (branch workerpool-steering): resize while workers start.
 *
 * The new workers of a grow hang in their initializer (`hold` on a gate the test opens), so the
 * test controls when they become ready.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, isInterrupted, release, started } from "./fixtures/handshake.js"
import { eventually, tasks, threadsAlive, within } from "./fixtures/steering.js"
import { half, hold } from "./fixtures/tasks.js"

/** A pool of one worker whose initializer waits on `gate`: open for the first worker, closed after. */
const gated = (gate: Int32Array) =>
  Effect.gen(function*() {
    Atomics.store(gate, 1, 1)
    const pool = yield* WorkerPool.make({
      module: tasks,
      concurrency: 1,
      initializer: hold(gate)
    })
    // closed: the workers a grow starts wait in their initializer until the test opens it
    Atomics.store(gate, 0, 0)
    Atomics.store(gate, 1, 0)
    return pool
  })

describe("review: WorkerPool.resize while workers start", { timeout: 60_000, concurrent: false }, () => {
  // JSDoc of `threadCount`: "Worker threads in the pool now: fewer than `concurrency` while one is
  // being replaced or a grow starts them"; README: "`threadCount` follows: fewer than `concurrency`
  // while a grow starts its workers".
  it.live("threadCount is below concurrency while a grow starts its workers", () => {
    const gate = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* gated(gate)
        const grow = yield* Effect.forkChild(pool.resize(2))
        yield* within("the new worker runs its initializer", started(gate))
        assert.strictEqual(pool.concurrency, 2)
        assert.isUndefined(grow.pollUnsafe(), "the grow waits for the new worker")
        const count = yield* pool.threadCount
        yield* release(gate)
        yield* Fiber.join(grow)
        assert.isBelow(count, 2, "threadCount while the grow's worker was still starting")
      }).pipe(Effect.ensuring(release(gate)))
    )
  })

  // Pins (pass today): an interrupted grow goes back to the old size and leaves no thread behind.
  it.live("pin: an interrupted grow goes back to the old size; its starting workers end", () => {
    const gate = cells()
    let impl: WorkerPool.WorkerPool | undefined = undefined
    return Effect.gen(function*() {
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* gated(gate)
        impl = pool
        const grow = yield* Effect.forkChild(pool.resize(3))
        yield* within("a new worker runs its initializer", started(gate))
        yield* Fiber.interrupt(grow)
        assert.isTrue(isInterrupted(yield* Fiber.await(grow)))
        yield* release(gate) // the stopped workers finish their initializer and close
        assert.strictEqual(pool.concurrency, 1)
        yield* eventually("one thread", Effect.map(pool.threadCount, (n) => n === 1))
        assert.deepStrictEqual(yield* pool.map([2, 4, 6], (n) => half(n)), [1, 2, 3])
        yield* eventually("the starting workers have ended", Effect.sync(() => threadsAlive(pool) === 1))
      }))
      assert.strictEqual(yield* impl!.threadCount, 0)
      assert.strictEqual(threadsAlive(impl!), 0)
    }).pipe(Effect.ensuring(release(gate)))
  })
})
