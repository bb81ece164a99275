import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { Deferred, Effect, Exit, Metric } from "effect"
import { TestClock } from "effect/testing"
import * as FiberPool from "../src/FiberPool.js"

// a registry of its own per test, metrics on
const metered = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.scoped(effect).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

const values = (group: string) => Telemetry.values("FiberPool", group)

const run = <A, E>(pool: FiberPool.FiberPool, effect: Effect.Effect<A, E>) =>
  Effect.flatMap(pool.submit(effect), (future) => future.result)

describe("FiberPool metrics", () => {
  it.effect("pending and running go up and back to 0; wait and run times are the clock's; one outcome each", () =>
    metered(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, name: "p" })
      const gate = yield* Deferred.make<void>()
      const first = yield* pool.submit(Effect.andThen(Deferred.await(gate), Effect.sleep("40 millis")))
      const second = yield* pool.submit(Effect.fail("boom"))
      let v = yield* values("p")
      assert.strictEqual(v.running, 1)
      assert.strictEqual(v.pending, 1)
      yield* TestClock.adjust("10 millis")
      yield* Deferred.succeed(gate, undefined)
      yield* TestClock.adjust("40 millis")
      yield* first.result
      yield* Effect.exit(second.result)
      v = yield* values("p")
      assert.strictEqual(v.pending, 0)
      assert.strictEqual(v.running, 0)
      assert.deepStrictEqual(v.outcomes, { succeeded: 1, failed: 1, interrupted: 0, rejected: 0, dropped: 0 })
      // the first waited 0 and ran 50 ms; the second waited 50 ms and ran 0
      assert.strictEqual(v.waitTime.count, 2)
      assert.strictEqual(v.waitTime.sum, 50)
      assert.strictEqual(v.runTime.count, 2)
      assert.strictEqual(v.runTime.sum, 50)
    })))

  it.effect("interrupted while waiting and while running: the gauges come back to 0, each counted interrupted once", () =>
    metered(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, name: "p" })
      const running = yield* pool.submit(Effect.never)
      const waiting = yield* pool.submit(Effect.never)
      assert.isTrue(yield* waiting.cancel)
      assert.isTrue(yield* running.cancel)
      const v = yield* values("p")
      assert.strictEqual(v.pending, 0)
      assert.strictEqual(v.running, 0)
      assert.deepStrictEqual(v.outcomes, { succeeded: 0, failed: 0, interrupted: 2, rejected: 0, dropped: 0 })
      // only the one that ran has a run time
      assert.strictEqual(v.runTime.count, 1)
    })))

  it.effect("a refused submit is rejected, a dropped task dropped; an aborted pool leaves nothing counted", () =>
    metered(Effect.gen(function*() {
      const full = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "fail", name: "full" })
      yield* full.submit(Effect.never)
      yield* full.submit(Effect.never)
      assert.isTrue(Exit.isFailure(yield* Effect.exit(full.submit(Effect.void))))
      const dropping = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "dropOldest", name: "drop" })
      yield* dropping.submit(Effect.never)
      yield* dropping.submit(Effect.never)
      yield* dropping.submit(Effect.never)
      yield* full.abort
      yield* dropping.abort
      const f = yield* values("full")
      const d = yield* values("drop")
      assert.deepStrictEqual(f.outcomes, { succeeded: 0, failed: 0, interrupted: 2, rejected: 1, dropped: 0 })
      assert.deepStrictEqual(d.outcomes, { succeeded: 0, failed: 0, interrupted: 2, rejected: 0, dropped: 1 })
      for (const x of [f, d]) {
        assert.strictEqual(x.pending, 0)
        assert.strictEqual(x.running, 0)
      }
      // after shutdown, a submit is rejected
      assert.isTrue(Exit.isFailure(yield* Effect.exit(full.submit(Effect.void))))
      assert.strictEqual((yield* values("full")).outcomes.rejected, 2)
    })))

  it.effect("two pools of other names keep separate series; unnamed ones are numbered; off by default", () =>
    Effect.gen(function*() {
      const a = yield* FiberPool.make({ concurrency: 2, name: "a" })
      const b = yield* FiberPool.make({ concurrency: 2, name: "b" })
      yield* run(a, Effect.void)
      yield* run(a, Effect.void)
      yield* run(b, Effect.void)
      assert.strictEqual((yield* values("a")).outcomes.succeeded, 2)
      assert.strictEqual((yield* values("b")).outcomes.succeeded, 1)
      const unnamed = yield* FiberPool.make({ concurrency: 1 })
      yield* run(unnamed, Effect.void)
      const numbered = (yield* Metric.snapshot).filter((s) =>
        s.attributes?.source === "FiberPool" && s.attributes.group !== "a" && s.attributes.group !== "b"
      )
      assert.isTrue(numbered.length > 0 && numbered.every((s) => /^\d+$/.test(s.attributes!.group!)))
      const quiet = yield* FiberPool.make({ concurrency: 1, name: "quiet" }).pipe(
        Effect.provide(Telemetry.layer({ enabled: false }))
      )
      yield* run(quiet, Effect.void)
      assert.isFalse((yield* Metric.snapshot).some((s) => s.attributes?.group === "quiet"))
    }).pipe(Effect.scoped, Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer())))
})
