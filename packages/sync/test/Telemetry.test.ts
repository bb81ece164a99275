import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Metric } from "effect"
import { TestClock } from "effect/testing"
import * as Recorder from "../src/Recorder.js"
import * as Telemetry from "../src/Telemetry.js"

// each test gets its own registry: series of one test never meet another's
const isolated = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

describe("Telemetry", () => {
  it.effect("is off by default: make gives no instrument, and nothing is registered", () =>
    Effect.gen(function*() {
      assert.isUndefined(yield* Telemetry.make("MyPool", "a"))
      assert.deepStrictEqual(yield* Metric.snapshot, [])
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  it.effect("an item's life: the gauges go up and back to 0, the times are the clock's, one outcome", () =>
    isolated(Effect.gen(function*() {
      const instrument = (yield* Telemetry.make("MyPool", "a"))!
      const queuedAt = instrument.now()
      instrument.queued()
      assert.strictEqual((yield* Telemetry.values("MyPool", "a")).pending, 1)
      yield* TestClock.adjust("30 millis")
      instrument.dequeued()
      instrument.started(instrument.now() - queuedAt)
      const startedAt = instrument.now()
      let values = yield* Telemetry.values("MyPool", "a")
      assert.strictEqual(values.pending, 0)
      assert.strictEqual(values.running, 1)
      assert.strictEqual(values.waitTime.count, 1)
      assert.strictEqual(values.waitTime.sum, 30)
      yield* TestClock.adjust("2 seconds")
      instrument.stopped()
      instrument.ran(instrument.now() - startedAt)
      instrument.ended("failed")
      values = yield* Telemetry.values("MyPool", "a")
      assert.strictEqual(values.running, 0)
      assert.strictEqual(values.runTime.sum, 2000)
      assert.deepStrictEqual(values.outcomes, { succeeded: 0, failed: 1, interrupted: 0, rejected: 0, dropped: 0 })
      // 2,000 ms falls in the bucket ≤ 2,500, not in the one ≤ 1,000
      const buckets = new Map(values.runTime.buckets)
      assert.strictEqual(buckets.get(1_000), 0)
      assert.strictEqual(buckets.get(2_500), 1)
    })))

  it.effect("the scheme: the five names, with source, group (and task) as attributes", () =>
    isolated(Effect.gen(function*() {
      const instrument = (yield* Telemetry.make("MyPool", "a"))!
      instrument.started(1)
      instrument.stopped()
      instrument.ran(1)
      instrument.ended("succeeded")
      instrument.forTask("resize").ended("rejected")
      const snapshots = yield* Metric.snapshot
      const seen = snapshots.map((s) => `${s.type} ${s.id} ${JSON.stringify(s.attributes)}`).sort()
      // every series of a set is registered when the set is made: the counters start at 0
      const set = (attributes: string) => [
        ...["succeeded", "failed", "interrupted", "rejected", "dropped"].map((outcome) =>
          `Counter fiberkit_outcomes_total {${attributes},"outcome":"${outcome}"}`
        ),
        `Gauge fiberkit_pending {${attributes}}`,
        `Gauge fiberkit_running {${attributes}}`,
        `Histogram fiberkit_run_time {${attributes}}`,
        `Histogram fiberkit_wait_time {${attributes}}`
      ]
      assert.deepStrictEqual(
        seen,
        [...set(`"source":"MyPool","group":"a"`), ...set(`"source":"MyPool","group":"a","task":"resize"`)].sort()
      )
      const counter = snapshots.find((s) => s.type === "Counter" && s.attributes?.outcome === "succeeded")
      assert.deepStrictEqual(counter?.state, { count: 1, incremental: true })
      assert.strictEqual((yield* Telemetry.values("MyPool", "a", "resize")).outcomes.rejected, 1)
      assert.strictEqual((yield* Telemetry.values("MyPool", "a")).outcomes.rejected, 0)
      // forTask makes one instrument per name
      assert.strictEqual(instrument.forTask("resize"), instrument.forTask("resize"))
    })))

  it.effect("two instances of other groups keep separate series; two of one group share theirs", () =>
    isolated(Effect.gen(function*() {
      const a = (yield* Telemetry.make("MyPool", "a"))!
      const b = (yield* Telemetry.make("MyPool", "b"))!
      const a2 = (yield* Telemetry.make("MyPool", "a"))!
      a.queued()
      a2.queued()
      b.ended("dropped")
      assert.strictEqual((yield* Telemetry.values("MyPool", "a")).pending, 2)
      assert.strictEqual((yield* Telemetry.values("MyPool", "b")).pending, 0)
      assert.strictEqual((yield* Telemetry.values("MyPool", "b")).outcomes.dropped, 1)
      assert.strictEqual((yield* Telemetry.values("Other", "a")).pending, 0)
    })))

  it.effect("boundaries can be set; layer({ enabled: false }) turns metrics off", () =>
    Effect.gen(function*() {
      const coarse = yield* Telemetry.make("MyPool", "a").pipe(
        Effect.provide(Telemetry.layer({ boundaries: [10, 100] }))
      )
      coarse!.started(50)
      const values = yield* Telemetry.values("MyPool", "a")
      assert.deepStrictEqual(values.waitTime.buckets, [[10, 0], [100, 1]])
      assert.isUndefined(yield* Telemetry.make("MyPool", "b").pipe(Effect.provide(Telemetry.layer({ enabled: false }))))
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  it("outcomeOf: succeeded, failed, interrupted only when nothing else happened", () => {
    assert.strictEqual(Telemetry.outcomeOf(Exit.succeed(1)), "succeeded")
    assert.strictEqual(Telemetry.outcomeOf(Exit.fail("e")), "failed")
    assert.strictEqual(Telemetry.outcomeOf(Exit.interrupt(1)), "interrupted")
    assert.strictEqual(Telemetry.defaultBoundaries.length, 18)
  })

  it.effect("observers: one group for the Timeline and the metrics; none when neither is on", () =>
    Effect.gen(function*() {
      const source = `Observed-${Math.random()}`
      assert.isUndefined(yield* Telemetry.observers(source, undefined))
      const recorder: Recorder.Recorder = { now: () => 7, record: () => {} }
      const both = yield* Telemetry.observers(source, undefined).pipe(
        Effect.provideService(Recorder.currentRecorder, recorder),
        Effect.provide(Telemetry.layer())
      )
      // the first numbered one: no number was taken while neither was on
      assert.strictEqual(both?.group, "1")
      assert.strictEqual(both?.recorder, recorder)
      assert.strictEqual(both?.instrument?.group, "1")
      assert.strictEqual(both?.now(), 7) // the recorder's clock, for both
      const metricsOnly = yield* Telemetry.observers(source, "named").pipe(Effect.provide(Telemetry.layer()))
      assert.deepStrictEqual([metricsOnly?.group, metricsOnly?.recorder], ["named", undefined])
      assert.isUndefined(yield* Telemetry.instrument(source, undefined))
      assert.strictEqual(
        (yield* Telemetry.instrument(source, undefined).pipe(Effect.provide(Telemetry.layer())))?.group,
        "2"
      )
    }).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  describe("limit", () => {
    it.effect("fiberkit_limit: absent until set, then the last limit set, read by values", () =>
      isolated(Effect.gen(function*() {
        const instrument = (yield* Telemetry.make("MyPool", "a"))!
        const limitSeries = Effect.map(Metric.snapshot, (all) => all.filter((m) => m.id === Telemetry.names.limit))
        // never set: no series, and values says undefined
        assert.deepStrictEqual(yield* limitSeries, [])
        assert.isUndefined((yield* Telemetry.values("MyPool", "a")).limit)
        instrument.limited(4)
        const [series] = yield* limitSeries
        assert.strictEqual(series?.type, "Gauge")
        assert.deepStrictEqual(series?.attributes, { source: "MyPool", group: "a" })
        assert.deepStrictEqual(series?.state, { value: 4 })
        assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 4)
        // a resize: the gauge follows, to 0 as well; still one series
        instrument.limited(9)
        assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 9)
        instrument.limited(0)
        assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 0)
        assert.strictEqual((yield* limitSeries).length, 1)
        // the other metrics are untouched
        const values = yield* Telemetry.values("MyPool", "a")
        assert.deepStrictEqual([values.pending, values.running, values.waitTime.count], [0, 0, 0])
      })))

    it.effect("per group and task; two instances of one group share it: the last limit set wins", () =>
      isolated(Effect.gen(function*() {
        const a = (yield* Telemetry.make("MyPool", "a"))!
        const b = (yield* Telemetry.make("MyPool", "b"))!
        a.limited(2)
        b.limited(3)
        a.forTask("resize").limited(1)
        assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 2)
        assert.strictEqual((yield* Telemetry.values("MyPool", "b")).limit, 3)
        assert.strictEqual((yield* Telemetry.values("MyPool", "a", "resize")).limit, 1)
        assert.isUndefined((yield* Telemetry.values("MyPool", "b", "resize")).limit)
        assert.isUndefined((yield* Telemetry.values("Other", "a")).limit)
        const a2 = (yield* Telemetry.make("MyPool", "a"))!
        a2.limited(7)
        assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 7)
        a.limited(5)
        assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 5)
      })))

    it.effect("a limit that is not a finite number ≥ 0 is a defect, and changes nothing", () =>
      isolated(Effect.gen(function*() {
        const instrument = (yield* Telemetry.make("MyPool", "a"))!
        instrument.limited(3)
        for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, -0.5]) {
          const exit = yield* Effect.exit(Effect.sync(() => instrument.limited(bad)))
          assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), String(bad))
          assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, 3)
        }
      })))

    it.effect.prop(
      "values reads the last of any sequence of limits, and there is one limit series",
      [Gen.array(Gen.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 20 })],
      ([limits]) =>
        isolated(Effect.gen(function*() {
          const instrument = (yield* Telemetry.make("MyPool", "a"))!
          for (const limit of limits) {
            instrument.limited(limit)
            assert.strictEqual((yield* Telemetry.values("MyPool", "a")).limit, limit)
          }
          const series = (yield* Metric.snapshot).filter((m) => m.id === Telemetry.names.limit)
          assert.deepStrictEqual(series.map((m) => m.state), [{ value: limits.at(-1)! }])
        })),
      { arbitrary: { runs: 30 } }
    )
  })
})
