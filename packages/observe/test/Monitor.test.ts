import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { assert, describe, it } from "@effect/vitest"
import { Gen, Leaks } from "@fiberkit/testkit"
import { SpanStatusCode } from "@opentelemetry/api"
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { LogLevel } from "effect"
import { Array as Arr, Cause, Data, Deferred, Effect, Exit, Fiber, Logger, Metric, References } from "effect"
import { TestClock } from "effect/testing"
import * as Monitor from "../src/Monitor.js"
import * as Timeline from "../src/Timeline.js"

class Boom extends Data.TaggedError("Boom")<{ readonly reason: string }> {
  override get message() {
    return `bad ${this.reason}`
  }
}

// Metrics are global and tests run concurrently: every test monitors its own task names.
const counts = (task: string) =>
  Effect.all({
    success: Metric.value(Monitor.outcomesOf(task, "success")),
    failure: Metric.value(Monitor.outcomesOf(task, "failure")),
    interrupted: Metric.value(Monitor.outcomesOf(task, "interrupted"))
  }).pipe(Effect.map(({ failure, interrupted, success }) => ({
    success: success.count,
    failure: failure.count,
    interrupted: interrupted.count
  })))

interface Line {
  readonly level: Uppercase<LogLevel.LogLevel>
  readonly message: string
  readonly annotations: Record<string, unknown>
  readonly hasCause: boolean
}

const captureLogs = Effect.sync(() => {
  const lines: Array<Line> = []
  const logger = Logger.make(({ cause, fiber, logLevel, message }) => {
    lines.push({
      // the level's name as Effect 3 labelled it ("INFO", "ERROR")
      level: logLevel.toUpperCase() as Uppercase<LogLevel.LogLevel>,
      message: Array.isArray(message) ? message.join(" ") : String(message),
      annotations: { ...fiber.getRef(References.CurrentLogAnnotations) },
      hasCause: cause.reasons.length > 0
    })
  })
  // in place of the loggers in force (the default one and the tracer's)
  return { lines, layer: Logger.layer([logger]) }
})

describe("Monitor", () => {
  describe("metrics", () => {
    it.effect("a success: counted once, timed by the Clock, its value passed through", () =>
      Effect.gen(function*() {
        const task = "metrics-success"
        const fiber = yield* Effect.forkChild(
          Monitor.monitored(Effect.as(Effect.sleep("1500 millis"), 7), task, { metricTag: task })
        )
        yield* TestClock.adjust("1500 millis")
        assert.strictEqual(yield* Fiber.join(fiber), 7)
        assert.deepStrictEqual(yield* counts(task), { success: 1, failure: 0, interrupted: 0 })
        const histogram = yield* Metric.value(Monitor.durationOf(task))
        assert.strictEqual(histogram.count, 1)
        assert.strictEqual(histogram.sum, 1500)
        assert.strictEqual(histogram.min, 1500)
        assert.strictEqual(histogram.max, 1500)
      }))

    it.effect("a failure: counted as failure, timed, the error passed through", () =>
      Effect.gen(function*() {
        const task = "metrics-failure"
        const failing = Effect.andThen(Effect.sleep("250 millis"), new Boom({ reason: "input" }))
        const fiber = yield* Effect.forkChild(Effect.flip(failing.pipe(Monitor.monitored(task, { metricTag: task }))))
        yield* TestClock.adjust("250 millis")
        const error = yield* Fiber.join(fiber)
        assert.instanceOf(error, Boom)
        assert.strictEqual(error.reason, "input")
        assert.deepStrictEqual(yield* counts(task), { success: 0, failure: 1, interrupted: 0 })
        const histogram = yield* Metric.value(Monitor.durationOf(task))
        assert.strictEqual(histogram.count, 1)
        assert.strictEqual(histogram.sum, 250)
      }))

    it.effect("a defect is a failure too", () =>
      Effect.gen(function*() {
        const task = "metrics-defect"
        const exit = yield* Effect.exit(Monitor.monitored(Effect.die(new Error("bug")), task, { metricTag: task }))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
        assert.deepStrictEqual(yield* counts(task), { success: 0, failure: 1, interrupted: 0 })
      }))

    it.effect("an interruption: counted as interrupted, timed up to the interruption", () =>
      Effect.gen(function*() {
        const task = "metrics-interrupted"
        const fiber = yield* Effect.forkChild(Monitor.monitored(Effect.never, task, { metricTag: task }))
        yield* TestClock.adjust("3 seconds")
        assert.isUndefined(fiber.pollUnsafe())
        yield* Fiber.interrupt(fiber)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
        assert.deepStrictEqual(yield* counts(task), { success: 0, failure: 0, interrupted: 1 })
        const histogram = yield* Metric.value(Monitor.durationOf(task))
        assert.strictEqual(histogram.count, 1)
        assert.strictEqual(histogram.sum, 3000)
      }))

    it.effect("a self-interruption is interrupted; interruption with a failure is a failure", () =>
      Effect.gen(function*() {
        const task = "metrics-self-interrupted"
        yield* Effect.exit(Monitor.monitored(Effect.interrupt, task, { metricTag: task }))
        const both = Effect.failCause(Cause.combine(Cause.fail("boom"), Cause.interrupt()))
        yield* Effect.exit(Monitor.monitored(both, task, { metricTag: task }))
        assert.deepStrictEqual(yield* counts(task), { success: 0, failure: 1, interrupted: 1 })
      }))

    it.effect("durationOf and outcomesOf are the metrics tagged task = metricTag", () =>
      Effect.gen(function*() {
        const task = "metrics-by-hand"
        yield* Monitor.monitored(Effect.void, "by hand", { metricTag: task })
        const byHand = Monitor.outcomes.pipe(
          Metric.withAttributes({ task }),
          Metric.withAttributes({ outcome: "success" })
        )
        assert.strictEqual((yield* Metric.value(byHand)).count, 1)
        const timer = Monitor.duration.pipe(Metric.withAttributes({ task }))
        assert.strictEqual((yield* Metric.value(timer)).count, 1)
      }))
  })

  describe("metric keys", () => {
    // The other tests of this file run at the same time and update the global registry, untagged
    // series included: these count in a registry of their own (Effect 4 finds it in the context).
    const quiet = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(
        Effect.provideService(References.MinimumLogLevel, "None"),
        Effect.provideServiceEffect(Metric.MetricRegistry, Effect.sync((): Metric.MetricRegistry => new Map()))
      )

    it.effect("without metricTag a run is counted in the untagged series, not under its name", () =>
      Effect.gen(function*() {
        const untagged = Effect.all({
          runs: Effect.map(Metric.value(Monitor.duration), (h) => h.count),
          failures: Effect.map(
            Metric.value(Metric.withAttributes(Monitor.outcomes, { outcome: "failure" })),
            (c) => c.count
          )
        })
        const before = yield* untagged
        yield* Effect.exit(Monitor.monitored(Effect.fail("no"), "keys-untagged"))
        assert.deepStrictEqual(yield* untagged, { runs: before.runs + 1, failures: before.failures + 1 })
        assert.strictEqual((yield* Metric.value(Monitor.durationOf("keys-untagged"))).count, 0)
        assert.deepStrictEqual(yield* counts("keys-untagged"), { success: 0, failure: 0, interrupted: 0 })
      }).pipe(quiet))

    // Effect's metric registry is global and keeps every key it was asked for: a tag value that
    // varies per call (a URL, an id) adds keys for good. The per-call name must not be one.
    const keys = Effect.map(Metric.snapshot, (pairs) => pairs.length)
    const names = (method: string) => Arr.makeBy(2_000, (i) => `${method} /items/${i}`)

    it.effect("2,000 distinct names add at most the 4 keys of the untagged metrics", () =>
      Effect.gen(function*() {
        const before = yield* keys
        yield* Effect.forEach(names("GET"), (name) => Monitor.monitored(Effect.void, name), { discard: true })
        assert.isAtMost((yield* keys) - before, 4)
      }).pipe(quiet))

    it.effect("2,000 distinct names under one metricTag add at most its 4 keys", () =>
      Effect.gen(function*() {
        const before = yield* keys
        yield* Effect.forEach(
          names("PUT"),
          (name) => Monitor.monitored(Effect.void, name, { metricTag: "keys-get-item" }),
          { discard: true }
        )
        assert.isAtMost((yield* keys) - before, 4)
        assert.strictEqual((yield* Metric.value(Monitor.durationOf("keys-get-item"))).count, 2_000)
        assert.strictEqual((yield* Metric.value(Monitor.outcomesOf("keys-get-item", "success"))).count, 2_000)
      }).pipe(quiet))
  })

  describe("logs", () => {
    it.effect("start and end lines carry the fiber's name and the time the Clock gave", () =>
      Effect.gen(function*() {
        const { layer, lines } = yield* captureLogs
        yield* Effect.gen(function*() {
          const fiber = yield* Effect.forkChild(
            Effect.sleep("2 seconds").pipe(Monitor.monitored("x"), Monitor.withFiberName("worker-3"))
          )
          yield* TestClock.adjust("2 seconds")
          yield* Fiber.join(fiber)
        }).pipe(Effect.provide(layer))
        assert.deepStrictEqual(lines, [
          {
            level: "INFO",
            message: "[worker-3] Starting x",
            annotations: { task: "x", fiber: "worker-3" },
            hasCause: false
          },
          {
            level: "INFO",
            message: "[worker-3] x completed in 2.00s",
            annotations: { task: "x", fiber: "worker-3", outcome: "success" },
            hasCause: false
          }
        ])
      }))

    it.effect("a failure is logged at level Error with a summary and the cause", () =>
      Effect.gen(function*() {
        const { layer, lines } = yield* captureLogs
        yield* Effect.gen(function*() {
          const failing = Effect.andThen(Effect.sleep("1250 millis"), new Boom({ reason: "input" }))
          const fiber = yield* Effect.forkChild(failing.pipe(Monitor.monitored("y"), Monitor.withFiberName("worker-1")))
          yield* TestClock.adjust("1250 millis")
          yield* Fiber.await(fiber)
        }).pipe(Effect.provide(layer))
        assert.deepStrictEqual(lines[1], {
          level: "ERROR",
          message: "[worker-1] y failed after 1.25s: Boom: bad input",
          annotations: { task: "y", fiber: "worker-1", outcome: "failure" },
          hasCause: true
        })
      }))

    it.effect("an interruption is logged with the time until it", () =>
      Effect.gen(function*() {
        const { layer, lines } = yield* captureLogs
        yield* Effect.gen(function*() {
          const fiber = yield* Effect.forkChild(
            Effect.never.pipe(Monitor.monitored("z"), Monitor.withFiberName("worker-2"))
          )
          yield* TestClock.adjust("500 millis")
          yield* Fiber.interrupt(fiber)
        }).pipe(Effect.provide(layer))
        assert.deepStrictEqual(lines.map((line) => [line.level, line.message]), [
          ["INFO", "[worker-2] Starting z"],
          ["INFO", "[worker-2] z interrupted after 0.50s"]
        ])
      }))

    it.effect("without withFiberName the fiber's name is its id", () =>
      Effect.gen(function*() {
        const { layer, lines } = yield* captureLogs
        const fiber = yield* Effect.forkChild(Monitor.monitored(Effect.void, "unnamed")).pipe(Effect.provide(layer))
        yield* Fiber.join(fiber)
        const name = `#${fiber.id}`
        assert.match(name, /^#\d+$/)
        assert.strictEqual(lines[0].message, `[${name}] Starting unnamed`)
        assert.strictEqual(lines[0].annotations.fiber, name)
      }))
  })

  describe("fiber names", () => {
    it.effect("fiberName: the name set for the region, inherited by forked fibers, else the id", () =>
      Effect.gen(function*() {
        const own = yield* Effect.withFiber((fiber) => Effect.succeed(`#${fiber.id}`))
        assert.strictEqual(yield* Monitor.fiberName, own)
        assert.strictEqual(yield* Monitor.withFiberName(Monitor.fiberName, "main"), "main")
        const forked = Effect.forkChild(Monitor.fiberName).pipe(Effect.flatMap(Fiber.join))
        assert.strictEqual(yield* Monitor.withFiberName(forked, "pool-1"), "pool-1")
        const inner = Monitor.withFiberName(Monitor.fiberName, "inner")
        assert.strictEqual(yield* Monitor.withFiberName(inner, "outer"), "inner")
        assert.strictEqual(yield* Monitor.fiberName, own)
      }))
  })

  describe("spans", () => {
    const traced = <A, E>(effect: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const exporter = new InMemorySpanExporter()
        const sdk = NodeSdk.layer(() => ({
          resource: { serviceName: "test" },
          spanProcessor: new SimpleSpanProcessor(exporter)
        }))
        // read before the layer closes: shutting the provider down clears the in-memory exporter
        return yield* Effect.map(Effect.exit(effect), (exit) => ({ exit, spans: exporter.getFinishedSpans().slice() }))
          .pipe(
            Effect.provide(sdk)
          )
      })

    it.effect("a span per run, named after the task, with its attributes and status", () =>
      Effect.gen(function*() {
        const { spans } = yield* traced(
          Effect.gen(function*() {
            const fiber = yield* Effect.forkChild(
              Effect.sleep("1 second").pipe(
                Monitor.monitored("span-ok", { attributes: { "app.item": 42 } }),
                Monitor.withFiberName("worker-7")
              )
            )
            yield* TestClock.adjust("1 second")
            yield* Fiber.join(fiber)
            yield* Effect.exit(Monitor.monitored(new Boom({ reason: "span" }), "span-failed"))
          })
        )
        assert.deepStrictEqual(spans.map((span) => span.name), ["span-ok", "span-failed"])
        const [ok, failed] = spans
        assert.strictEqual(ok.attributes["fiberkit.task"], "span-ok")
        assert.strictEqual(ok.attributes["fiberkit.fiber"], "worker-7")
        assert.strictEqual(ok.attributes["app.item"], 42)
        // Effect 4's OpenTelemetry tracer sets no status on success (Effect 3's set OK)
        assert.strictEqual(ok.status.code, SpanStatusCode.UNSET)
        assert.deepStrictEqual(ok.duration, [1, 0])
        assert.strictEqual(failed.attributes["fiberkit.task"], "span-failed")
        assert.strictEqual(failed.status.code, SpanStatusCode.ERROR)
        assert.strictEqual(failed.status.message, "bad span")
        // the log lines are the span's events
        assert.deepStrictEqual(ok.events.map((event) => event.name), [
          "[worker-7] Starting span-ok",
          "[worker-7] span-ok completed in 1.00s"
        ])
      }))

    it.effect("a monitored task inside another is its child span", () =>
      Effect.gen(function*() {
        const { spans } = yield* traced(
          Monitor.monitored(Monitor.monitored(Effect.void, "child"), "parent")
        )
        const child = spans.find((span) => span.name === "child")!
        const parent = spans.find((span) => span.name === "parent")!
        assert.strictEqual(child.parentSpanContext?.spanId, parent.spanContext().spanId)
        assert.strictEqual(child.spanContext().traceId, parent.spanContext().traceId)
        assert.isUndefined(parent.parentSpanContext)
      }))

    it.effect("an interrupted run ends its span, marked interrupted", () =>
      Effect.gen(function*() {
        const { spans } = yield* traced(
          Effect.gen(function*() {
            const fiber = yield* Effect.forkChild(Monitor.monitored(Effect.never, "span-interrupted"))
            yield* Leaks.settle
            yield* Fiber.interrupt(fiber)
          })
        )
        assert.strictEqual(spans.length, 1)
        assert.strictEqual(spans[0].attributes["effect.fiber.interrupted"], true)
      }))
  })

  describe("Timeline", () => {
    it.effect("one record per run, on the recorder's clock, with the fiber as its lane", () =>
      Effect.gen(function*() {
        const timeline = yield* Timeline.make()
        yield* TestClock.adjust("1 second")
        // the recorder is looked up when the task runs, not when it is wrapped
        const task = Effect.sleep("3 seconds").pipe(Monitor.monitored("fetch"), Monitor.withFiberName("worker-1"))
        const fiber = yield* Effect.forkChild(Timeline.recording(timeline)(task))
        yield* TestClock.adjust("3 seconds")
        yield* Fiber.join(fiber)
        const failing = Monitor.withFiberName(Monitor.monitored(Effect.fail("no"), "parse"), "worker-2")
        yield* Effect.exit(Timeline.recording(timeline)(failing))
        assert.deepStrictEqual(yield* timeline.records, [
          {
            source: "monitored",
            group: "fetch",
            lane: "worker-1",
            label: "fetch",
            queuedAt: 1000,
            startedAt: 1000,
            endedAt: 4000,
            outcome: "success"
          },
          {
            source: "monitored",
            group: "parse",
            lane: "worker-2",
            label: "parse",
            queuedAt: 4000,
            startedAt: 4000,
            endedAt: 4000,
            outcome: "failure"
          }
        ])
      }))

    it.effect("an interrupted run is recorded as interrupted", () =>
      Effect.gen(function*() {
        const timeline = yield* Timeline.make()
        const fiber = yield* Effect.forkChild(Timeline.recording(timeline)(Monitor.monitored(Effect.never, "stuck")))
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.interrupt(fiber)
        const records = yield* timeline.records
        assert.deepStrictEqual(records.map((r) => [r.outcome, r.startedAt, r.endedAt]), [["interrupted", 0, 2000]])
      }))

    it.effect("nothing is recorded where no Timeline is recording", () =>
      Effect.gen(function*() {
        const timeline = yield* Timeline.make()
        yield* Monitor.monitored(Effect.void, "unrecorded")
        assert.deepStrictEqual(yield* timeline.records, [])
      }))
  })

  describe("properties", () => {
    type Run = { readonly kind: "succeed" | "fail" | "interrupt"; readonly millis: number }
    const run = Gen.record({
      kind: Gen.constantFrom("succeed" as const, "fail" as const, "interrupt" as const),
      millis: Gen.integer({ min: 0, max: 5_000 })
    })
    const task = "property-runs"

    const once = ({ kind, millis }: Run) =>
      Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        const body = kind === "succeed"
          ? Effect.sleep(millis)
          : kind === "fail"
          ? Effect.andThen(Effect.sleep(millis), Effect.fail("no"))
          : Effect.andThen(Effect.sleep(millis), Effect.never)
        const fiber = yield* Effect.forkChild(
          Monitor.monitored(Effect.andThen(Deferred.succeed(started, void 0), body), task, { metricTag: task })
        )
        yield* Deferred.await(started)
        yield* TestClock.adjust(millis)
        if (kind === "interrupt") {
          yield* Fiber.interrupt(fiber)
        } else {
          yield* Fiber.await(fiber)
        }
      })

    it.effect.prop(
      "the counters grow by the number of runs of each outcome, the timer by every run and its time",
      [Gen.array(run, { maxLength: 15 })],
      ([runs]) =>
        Effect.gen(function*() {
          const before = yield* counts(task)
          const timerBefore = yield* Metric.value(Monitor.durationOf(task))
          yield* Effect.forEach(runs, once, { discard: true })
          const after = yield* counts(task)
          const timerAfter = yield* Metric.value(Monitor.durationOf(task))
          const expected = (kind: Run["kind"]) => runs.filter((r) => r.kind === kind).length
          assert.deepStrictEqual({
            success: after.success - before.success,
            failure: after.failure - before.failure,
            interrupted: after.interrupted - before.interrupted
          }, { success: expected("succeed"), failure: expected("fail"), interrupted: expected("interrupt") })
          assert.strictEqual(timerAfter.count - timerBefore.count, runs.length)
          assert.strictEqual(timerAfter.sum - timerBefore.sum, runs.reduce((sum, r) => sum + r.millis, 0))
        }),
      { arbitrary: { runs: 50 } }
    )
  })
})
