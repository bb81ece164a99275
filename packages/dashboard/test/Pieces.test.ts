/**
 * The dashboard's pieces on their own: the record buffer a page reads by cursor (properties:
 * every record delivered once, in order, none older than the window, at most `capacity`), the
 * percentiles read from histogram buckets, and the options' checks.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Recorder from "@fiberkit/sync/Recorder"
import { Gen } from "@fiberkit/testkit"
import { Effect, Exit } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { mergeHistograms, percentiles, quantile } from "../src/internal/figures.js"
import { refusal } from "../src/internal/guard.js"
import { Recording } from "../src/internal/recording.js"

const record = (n: number, endedAt: number): Recorder.TaskRecord => ({
  source: "FiberPool",
  group: "1",
  lane: undefined,
  label: `#${n}`,
  queuedAt: endedAt,
  startedAt: endedAt,
  endedAt,
  outcome: "success"
})

describe("Recording", () => {
  it.prop(
    "a page reading by cursor gets every record kept once, in order, none older than the window",
    [
      Gen.array(Gen.tuple(Gen.integer({ min: 0, max: 50 }), Gen.boolean), { maxLength: 400 }),
      Gen.integer({ min: 1, max: 40 })
    ],
    ([steps, capacity]) => {
      const windowMillis = 100
      let time = 0
      const recording = new Recording(() => time, windowMillis, capacity, undefined)
      let cursor = 0
      const seen: Array<string> = []
      let next = 0
      const all: Array<Recorder.TaskRecord> = []
      for (const [advance, read] of steps) {
        time += advance
        all.push(record(next, time))
        recording.record(all[next++]!)
        if (read) {
          const got = recording.since(cursor)
          assert.isAtMost(got.length, capacity)
          // nothing unread is missing that ended within the window and is among the last `capacity`
          const labels = new Set(got.map((r) => r.label))
          for (let n = Math.max(cursor, next - capacity); n < next; n++) {
            if (all[n]!.endedAt >= time - windowMillis) assert.isTrue(labels.has(`#${n}`), `#${n} missing`)
          }
          for (const r of got) assert.isAtLeast(r.endedAt, time - windowMillis)
          for (const r of got) seen.push(r.label)
          cursor = recording.cursor
        }
      }
      // once each, in order of arrival
      const numbers = seen.map((label) => Number(label.slice(1)))
      assert.deepStrictEqual(numbers, [...numbers].sort((a, b) => a - b))
      assert.strictEqual(new Set(numbers).size, numbers.length)
      // a page that asks from its cursor gets nothing more
      assert.deepStrictEqual(recording.since(recording.cursor), [])
    }
  )

  it("records within the window and the capacity are all delivered", () => {
    const recording = new Recording(() => 9, 1_000, 10, undefined)
    for (let i = 0; i < 10; i++) recording.record(record(i, i))
    assert.deepStrictEqual(recording.since(0).map((r) => r.label), Array.from({ length: 10 }, (_, i) => `#${i}`))
    assert.deepStrictEqual(recording.since(6).map((r) => r.label), ["#6", "#7", "#8", "#9"])
    assert.strictEqual(recording.cursor, 10)
    // past the capacity the oldest go; past the window they are not sent
    recording.record(record(10, 1_500))
    assert.deepStrictEqual(recording.since(0).map((r) => r.label).slice(0, 2), ["#1", "#2"])
    const late = new Recording(() => 1_500, 1_000, 10, undefined)
    for (const [n, t] of [[0, 100], [1, 499], [2, 500], [3, 1_500]] as const) late.record(record(n, t))
    assert.deepStrictEqual(late.since(0).map((r) => r.label), ["#2", "#3"])
  })

  it("forwards every record to the recorder it replaced", () => {
    const forwarded: Array<string> = []
    const recording = new Recording(() => 0, 1_000, 2, { now: () => 0, record: (r) => forwarded.push(r.label) })
    for (let i = 0; i < 5; i++) recording.record(record(i, i))
    assert.deepStrictEqual(forwarded, ["#0", "#1", "#2", "#3", "#4"])
  })
})

describe("percentiles", () => {
  const histogram = (values: ReadonlyArray<number>, bounds: ReadonlyArray<number>) => ({
    buckets: bounds.map((bound): [number, number] => [bound, values.filter((v) => v <= bound).length]),
    count: values.length,
    sum: values.reduce((a, b) => a + b, 0),
    min: Math.min(...values),
    max: Math.max(...values)
  })

  it.prop(
    "each percentile is the bound of the bucket the exact one falls in, at most the maximum",
    [
      Gen.array(Gen.double({ min: 0, max: 2_000, noNaN: true }), { minLength: 1, maxLength: 200 }),
      Gen.constantFrom(0.5, 0.95, 0.99)
    ],
    ([values, q]) => {
      const bounds = [1, 5, 10, 50, 100, 500, 1_000]
      const sorted = [...values].sort((a, b) => a - b)
      const exact = sorted[Math.max(1, Math.ceil(q * values.length)) - 1]!
      const bucket = bounds.find((bound) => exact <= bound)
      const read = quantile(histogram(values, bounds), q)
      assert.strictEqual(read, bucket === undefined ? sorted.at(-1)! : Math.min(bucket, sorted.at(-1)!))
      assert.isAtLeast(read, exact)
    }
  )

  it("none before the first observation; merged histograms count both", () => {
    assert.deepStrictEqual(percentiles({ buckets: [[1, 0]], count: 0, sum: 0, min: 0, max: 0 }), {
      count: 0,
      p50: undefined,
      p95: undefined,
      p99: undefined,
      max: undefined
    })
    const merged = mergeHistograms(histogram([1, 2], [1, 10]), histogram([7], [1, 10]))!
    assert.deepStrictEqual(merged.buckets, [[1, 1], [10, 3]])
    assert.deepStrictEqual([merged.count, merged.min, merged.max, merged.sum], [3, 1, 7, 10])
  })
})

describe("options", () => {
  /** The error building the layer failed with, if any. */
  const refused = (options: Dashboard.Options) =>
    Effect.map(
      Effect.exit(Effect.provide(Effect.void, Dashboard.layer(options))),
      (exit) => Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
    )

  it.effect("each option out of range fails InvalidOptions naming it; nothing is served", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[Dashboard.Options, string]> = [
        [{ port: -1 }, "port"],
        [{ port: 65_536 }, "port"],
        [{ port: 1.5 }, "port"],
        [{ port: Number.NaN }, "port"],
        [{ host: "" }, "host"],
        [{ host: "0.0.0.0" }, "token"],
        [{ host: "0.0.0.0", token: "" }, "token"],
        [{ window: "10 millis" }, "window"],
        [{ window: "2 hours" }, "window"],
        [{ every: "1 millis" }, "every"],
        [{ every: Number.NaN }, "every"],
        [{ capacity: 0 }, "capacity"],
        [{ tasksPerState: 0 }, "tasksPerState"],
        [{ tasksPerState: 1_001 }, "tasksPerState"]
      ]
      for (const [options, field] of cases) {
        const error = (yield* refused(options)) as { _tag: string; field: string } | undefined
        assert.deepStrictEqual([error?._tag, error?.field], ["InvalidOptions", field], JSON.stringify(options))
      }
    }))

  it.live("a port already taken fails DashboardUnavailable", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const port = Number(new URL(url).port)
      const error = (yield* refused({ port })) as { _tag: string; address: string } | undefined
      assert.deepStrictEqual([error?._tag, error?.address], ["DashboardUnavailable", `127.0.0.1:${port}`])
    }).pipe(Effect.provide(Dashboard.layer({ port: 0 }))))
})

describe("guard", () => {
  const seen = (headers: Record<string, string>, method = "GET", url = "http://x/") => ({
    method,
    headers,
    url: new URL(url)
  })
  const loopback = { loopback: true, token: undefined }

  it("loopback host names pass, any other is refused; ports and IPv6 brackets are read", () => {
    for (const host of ["127.0.0.1:9380", "localhost:1", "[::1]:9380", "127.0.0.2"]) {
      assert.isUndefined(refusal(seen({ host }), loopback), host)
    }
    for (const host of ["evil.example:9380", "127.0.0.1.evil.example", "[::2]:9380", ""]) {
      assert.strictEqual(refusal(seen({ host }), loopback)?.status, 421, host)
    }
    assert.strictEqual(refusal(seen({}), loopback)?.status, 421)
  })

  it("an action needs the page's header and its own origin (an unreadable origin too is refused)", () => {
    const post = (headers: Record<string, string>) =>
      refusal(seen({ host: "127.0.0.1:1", ...headers }, "POST"), loopback)
    assert.strictEqual(post({})?.status, 403)
    assert.strictEqual(post({ "x-fiberkit-dashboard": "1", origin: "not a url" })?.status, 403)
    assert.strictEqual(post({ "x-fiberkit-dashboard": "1", origin: "http://127.0.0.1:2" })?.status, 403)
    assert.isUndefined(post({ "x-fiberkit-dashboard": "1", origin: "http://127.0.0.1:1" }))
    assert.isUndefined(post({ "x-fiberkit-dashboard": "1" }))
  })
})
