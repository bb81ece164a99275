import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Metric } from "effect"
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

  it.effect("a refused submit is rejected, a dropped task dropped; a pool shut down leaves nothing counted", () =>
    metered(Effect.gen(function*() {
      const full = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "fail", name: "full" })
      const running = [yield* full.submit(Effect.never)]
      yield* full.submit(Effect.never)
      assert.isTrue(Exit.isFailure(yield* Effect.exit(full.submit(Effect.void))))
      const dropping = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "dropOldest", name: "drop" })
      running.push(yield* dropping.submit(Effect.never))
      yield* dropping.submit(Effect.never)
      yield* dropping.submit(Effect.never)
      // the pending ones cancelled by the shutdown, the running ones by hand
      for (const pool of [full, dropping]) yield* pool.shutdown({ cancelFutures: true, wait: false })
      for (const future of running) yield* future.cancel
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

  it.effect.prop(
    "property: random submits, failures, cancels and a bound — gauges never negative nor above the size, back to 0 at the end; one outcome per submission, as the callers saw it",
    [
      Gen.array(
        Gen.record({
          at: Gen.integer({ min: 0, max: 20 }),
          duration: Gen.integer({ min: 0, max: 10 }),
          fails: Gen.boolean,
          cancelAt: Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined })
        }),
        { maxLength: 20 }
      ),
      Gen.constantFrom("wait" as const, "fail" as const, "dropOldest" as const)
    ],
    ([tasks, onFull]) =>
      metered(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 3, onFull, name: "prop" })
        const seen = { succeeded: 0, failed: 0, interrupted: 0, rejected: 0, dropped: 0 }
        const check = Effect.map(values("prop"), (v) => {
          assert.isTrue(v.pending >= 0 && v.running >= 0 && v.running <= 2, JSON.stringify(v))
        })
        yield* TestTime.run(Effect.forEach(tasks, (t) =>
          Effect.gen(function*() {
            yield* Effect.sleep(t.at)
            yield* check
            const submitted = yield* Effect.exit(
              pool.submit(Effect.andThen(Effect.sleep(t.duration), t.fails ? Effect.fail("boom") : Effect.void))
            )
            if (Exit.isFailure(submitted)) return void seen.rejected++
            const future = submitted.value
            if (t.cancelAt !== undefined) yield* Effect.forkChild(Effect.delay(future.cancel, t.cancelAt))
            const exit = yield* Effect.exit(future.result)
            yield* check
            if (Exit.isSuccess(exit)) seen.succeeded++
            else if (Exit.hasInterrupts(exit) || (yield* future.isCancelled)) seen.interrupted++
            else if (Cause.findErrorOption(exit.cause).pipe((e) => e._tag === "Some" && e.value === "boom")) {
              seen.failed++
            } else seen.dropped++
          }), { concurrency: "unbounded", discard: true }))
        const v = yield* values("prop")
        assert.deepStrictEqual([v.pending, v.running], [0, 0])
        assert.deepStrictEqual(v.outcomes, seen)
        assert.strictEqual(Object.values(v.outcomes).reduce((a, b) => a + b, 0), tasks.length)
        // every task that started has a wait and a run, and no other
        assert.strictEqual(v.waitTime.count, v.runTime.count)
        assert.isAtMost(v.runTime.count, tasks.length - seen.rejected - seen.dropped)
      })),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )

  it.effect("fiberkit_limit: the concurrency as made, then each resize's; a bad resize changes nothing", () =>
    metered(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 3, name: "sized" })
      assert.strictEqual((yield* values("sized")).limit, 3)
      yield* pool.resize(8)
      assert.strictEqual((yield* values("sized")).limit, 8)
      yield* pool.resize(1)
      assert.strictEqual((yield* values("sized")).limit, 1)
      assert.isTrue(Exit.isFailure(yield* Effect.exit(pool.resize(0))))
      assert.strictEqual((yield* values("sized")).limit, 1)
      const unsized = yield* FiberPool.make({ concurrency: 2 }).pipe(
        Effect.provide(Telemetry.layer({ enabled: false }))
      )
      yield* unsized.resize(5)
      assert.isFalse(
        (yield* Metric.snapshot).some((s) => s.id === Telemetry.names.limit && s.attributes?.group !== "sized")
      )
    })))

  it.effect.prop(
    "property: resizes among running tasks — the limit is always the pool's concurrency",
    [Gen.array(Gen.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 12 })],
    ([sizes]) =>
      metered(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2, name: "steered" })
        const futures = yield* Effect.forEach(sizes, () => pool.submit(Effect.sleep(5)))
        for (const size of sizes) {
          yield* pool.resize(size)
          assert.strictEqual((yield* values("steered")).limit, pool.concurrency)
          assert.strictEqual(pool.concurrency, size)
          yield* TestClock.adjust(2)
        }
        yield* TestClock.adjust(100)
        yield* Effect.forEach(futures, (future) => future.result, { discard: true })
        assert.strictEqual((yield* values("steered")).limit, sizes.at(-1))
      })),
    { arbitrary: { runs: 30 } }
  )
})
