import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { Effect, Exit, Metric } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { admitFirst, half, hold, nap } from "./fixtures/tasks.js"

const tasks = new URL("./fixtures/tasks.js", import.meta.url)

const metered = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.scoped(effect).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

describe("WorkerPool metrics", { timeout: 30_000 }, () => {
  it.live("a call held by a worker is running, one in line pending; each ends once, with its outcome", () =>
    metered(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, name: "cpu" })
      const values = Telemetry.values("WorkerPool", "cpu")
      const handshake = cells()
      const held = yield* pool.submit(hold(handshake))
      yield* started(handshake)
      // the next call may be sent ahead to the busy worker (held there, running to the metrics) or
      // wait in line: either way it is counted once
      const next = yield* pool.submit(half(3))
      let v = yield* values
      assert.strictEqual(v.running + v.pending, 2)
      assert.isAtLeast(v.running, 1)
      yield* release(handshake)
      yield* held.result
      assert.isTrue(Exit.isFailure(yield* Effect.exit(next.result)))
      yield* (yield* pool.submit(half(4))).result
      v = yield* values
      assert.strictEqual(v.pending, 0)
      assert.strictEqual(v.running, 0)
      assert.deepStrictEqual(v.outcomes, { succeeded: 2, failed: 1, interrupted: 0, rejected: 0, dropped: 0 })
      assert.strictEqual(v.waitTime.count, 3)
      assert.strictEqual(v.runTime.count, 3)
      assert.isAtLeast(v.runTime.max, 0)
    })))

  it.live("cancelled while held, while in line, and running: the gauges come back to 0, each interrupted once", () =>
    metered(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, name: "cpu" })
      const handshake = cells()
      const running = yield* pool.submit(hold(handshake))
      yield* started(handshake)
      const waiting = yield* Effect.forEach([1, 2, 3], (n) => pool.submit(half(n * 2)))
      for (const future of waiting) yield* future.cancel
      yield* running.cancel // the worker is terminated, a replacement started
      yield* release(handshake)
      const v = yield* Telemetry.values("WorkerPool", "cpu")
      assert.strictEqual(v.pending, 0)
      assert.strictEqual(v.running, 0)
      assert.deepStrictEqual(v.outcomes, { succeeded: 0, failed: 0, interrupted: 4, rejected: 0, dropped: 0 })
      yield* pool.shutdown()
      assert.isTrue(Exit.isFailure(yield* Effect.exit(pool.submit(half(2)))))
      assert.strictEqual((yield* Telemetry.values("WorkerPool", "cpu")).outcomes.rejected, 1)
    })))

  it.live("many calls on two workers, some taken back and sent again: every call ends once, nothing left counted", () =>
    metered(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, name: "busy" })
      // uneven naps: a worker that runs dry takes calls back from the other (a steal)
      const futures = yield* Effect.forEach(
        Array.from({ length: 30 }, (_, i) => (i % 7) * 3),
        (ms) => pool.submit(nap(ms))
      )
      yield* Effect.forEach(futures, (future) => future.result, { discard: true })
      const v = yield* Telemetry.values("WorkerPool", "busy")
      assert.deepStrictEqual([v.pending, v.running], [0, 0])
      assert.strictEqual(v.outcomes.succeeded, 30)
      assert.strictEqual(v.runTime.count, 30)
      assert.isAtLeast(v.waitTime.count, 30) // a call sent again waits again
    })))

  it.live("fiberkit_limit: the workers as made, then each resize's; a grow that fails goes back with the pool", () =>
    metered(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({
        module: tasks,
        concurrency: 1,
        name: "sized",
        initializer: admitFirst({ cells: cells(), workers: 2 })
      })
      const limit = Effect.map(Telemetry.values("WorkerPool", "sized"), (v) => v.limit)
      assert.strictEqual(yield* limit, 1)
      yield* pool.resize(2)
      assert.strictEqual(yield* limit, 2)
      // a third worker is refused by the initializer: the resize fails, the pool stays at 2
      const grow = yield* Effect.exit(pool.resize(3))
      assert.isTrue(Exit.isFailure(grow))
      assert.strictEqual(pool.concurrency, 2)
      assert.strictEqual(yield* limit, 2)
      yield* pool.resize(1)
      assert.strictEqual(yield* limit, 1)
      assert.strictEqual(pool.concurrency, 1)
    })))
})
