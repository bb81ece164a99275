import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import * as ConcurrencyLimiter from "@fiberkit/ratelimit/ConcurrencyLimiter"
import * as RateLimiter from "@fiberkit/ratelimit/RateLimiter"
import type * as Recorder from "@fiberkit/sync/Recorder"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as Timeline from "../src/Timeline.js"

/** The fields a test compares: times in virtual milliseconds. */
const brief = (record: Recorder.TaskRecord) => ({
  lane: record.lane,
  queuedAt: record.queuedAt,
  startedAt: record.startedAt,
  endedAt: record.endedAt,
  outcome: record.outcome
})

const byStart = (records: ReadonlyArray<Recorder.TaskRecord>) =>
  [...records].sort((a, b) => a.startedAt - b.startedAt || a.label.localeCompare(b.label))

const record = (label: string): Recorder.TaskRecord => ({
  source: "test",
  group: "1",
  lane: undefined,
  label,
  queuedAt: 0,
  startedAt: 0,
  endedAt: 0,
  outcome: "success"
})

describe("Timeline", () => {
  it.effect("keeps the last `capacity` records, oldest first, and counts the dropped ones", () =>
    Effect.gen(function*() {
      const timeline = yield* Timeline.make({ capacity: 3 })
      for (const label of ["a", "b", "c", "d", "e"]) timeline.recorder.record(record(label))
      assert.deepStrictEqual((yield* timeline.records).map((r) => r.label), ["c", "d", "e"])
      assert.strictEqual(yield* timeline.dropped, 2)
      yield* timeline.clear
      assert.deepStrictEqual(yield* timeline.records, [])
      assert.strictEqual(yield* timeline.dropped, 0)
    }))

  it.effect.prop(
    "any capacity and any number of records: memory stays within the capacity, the newest are kept in order",
    [Gen.integer({ min: 1, max: 50 }), Gen.integer({ min: 0, max: 200 })],
    ([capacity, n]) =>
      Effect.gen(function*() {
        const timeline = yield* Timeline.make({ capacity })
        for (let i = 0; i < n; i++) timeline.recorder.record(record(String(i)))
        const kept = yield* timeline.records
        assert.isAtMost(kept.length, capacity)
        const expected = Array.from({ length: n }, (_, i) => String(i)).slice(Math.max(0, n - capacity))
        assert.deepStrictEqual(kept.map((r) => r.label), expected)
        assert.strictEqual(yield* timeline.dropped, Math.max(0, n - capacity))
      })
  )

  it.effect("a capacity below 1 or not an integer is InvalidOptions", () =>
    Effect.gen(function*() {
      for (const capacity of [0, -1, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(Timeline.make({ capacity }))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual(error.field, "capacity")
      }
    }))

  it.effect("the layer records a FiberPool's tasks: queued, started and ended on the clock, and the worker", () =>
    Effect.gen(function*() {
      const records = yield* TestTime.run(
        Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 2, name: "io" })
          const futures = yield* Effect.forEach([1, 2, 3], (seconds) => pool.submit(Effect.sleep(`${seconds} seconds`)))
          yield* Effect.forEach(futures, (future) => future.await, { discard: true })
          return yield* Effect.flatMap(Timeline.Timeline, (timeline) => timeline.records)
        }).pipe(Effect.scoped, Effect.provide(Timeline.layer()))
      )
      assert.deepStrictEqual(records.map((r) => [r.source, r.group]), [
        ["FiberPool", "io"],
        ["FiberPool", "io"],
        ["FiberPool", "io"]
      ])
      // tasks 1 and 2 start at once on two workers; task 3 waits for task 1's worker
      assert.deepStrictEqual(byStart(records).map(brief), [
        { lane: "worker 0", queuedAt: 0, startedAt: 0, endedAt: 1000, outcome: "success" },
        { lane: "worker 1", queuedAt: 0, startedAt: 0, endedAt: 2000, outcome: "success" },
        { lane: "worker 0", queuedAt: 0, startedAt: 1000, endedAt: 4000, outcome: "success" }
      ])
    }))

  it.effect("failures and cancels are recorded with their outcome", () =>
    Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      yield* TestTime.run(
        Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 1 })
          const failing = yield* pool.submit(Effect.andThen(Effect.sleep("1 second"), Effect.fail("boom")))
          const cancelled = yield* pool.submit(Effect.never)
          yield* failing.await
          yield* Effect.sleep("1 second")
          yield* cancelled.cancel
        }).pipe(Effect.scoped, Timeline.recording(timeline))
      )
      assert.deepStrictEqual((yield* timeline.records).map(brief), [
        { lane: "worker 0", queuedAt: 0, startedAt: 0, endedAt: 1000, outcome: "failure" },
        { lane: "worker 0", queuedAt: 0, startedAt: 1000, endedAt: 2000, outcome: "interrupted" }
      ])
    }))

  it.effect("a pool made without a recorder records nothing, even when used under one later", () =>
    Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      yield* TestTime.run(
        Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 2 })
          yield* Timeline.recording(timeline)(pool.map([1, 2, 3], () => Effect.sleep("1 second")))
        }).pipe(Effect.scoped)
      )
      assert.deepStrictEqual(yield* timeline.records, [])
    }))

  it.effect("a RateLimiter records each use's wait for its start, and its run", () =>
    Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      yield* TestTime.run(
        Effect.gen(function*() {
          const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", name: "api" })
          yield* Effect.forEach([1, 2, 3], () => limiter(Effect.sleep("100 millis")), { concurrency: "unbounded" })
        }).pipe(Timeline.recording(timeline))
      )
      const records = byStart(yield* timeline.records)
      assert.deepStrictEqual(records.map((r) => [r.source, r.group, r.lane]), [
        ["RateLimiter", "api", undefined],
        ["RateLimiter", "api", undefined],
        ["RateLimiter", "api", undefined]
      ])
      // the sliding window counts a start until one millisecond past its interval
      assert.deepStrictEqual(records.map((r) => [r.queuedAt, r.startedAt - r.queuedAt > 0, r.endedAt - r.startedAt]), [
        [0, false, 100],
        [0, true, 100],
        [0, true, 100]
      ])
      assert.isTrue(records[1]!.startedAt >= 1000 && records[2]!.startedAt >= 2000)
    }))

  it.effect("a ConcurrencyLimiter records the wait for a slot; a use interrupted while it waits is interrupted", () =>
    Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      yield* TestTime.run(
        Effect.gen(function*() {
          const limit = yield* ConcurrencyLimiter.make({ concurrency: 2, name: "db" })
          const waiting = yield* Effect.forkChild(
            Effect.andThen(Effect.sleep("10 millis"), limit(Effect.sleep("1 second")))
          )
          yield* Effect.forEach([1, 2], () => limit(Effect.sleep("1 second")), { concurrency: "unbounded" })
          // the third waited from 10 ms to 1 s, then ran; at 1 s a fourth finds a free slot, and a
          // fifth, waiting, is interrupted half a second later
          const fourth = yield* Effect.forkChild(limit(Effect.sleep("1 second")))
          const fifth = yield* Effect.forkChild(limit(Effect.sleep("1 second")))
          yield* Effect.sleep("500 millis")
          yield* Effect.sync(() => fifth.interruptUnsafe(fifth.id))
          yield* Fiber.await(waiting)
          yield* Fiber.await(fourth)
        })
      ).pipe(Timeline.recording(timeline))
      const records = yield* timeline.records
      const interrupted = records.filter((r) => r.outcome === "interrupted")
      assert.strictEqual(interrupted.length, 1)
      assert.strictEqual(interrupted[0]!.startedAt, interrupted[0]!.endedAt)
      assert.strictEqual(interrupted[0]!.endedAt - interrupted[0]!.queuedAt, 500)
      const ran = byStart(records.filter((r) => r.outcome === "success"))
      assert.deepStrictEqual(ran.map((r) => [r.queuedAt, r.startedAt, r.endedAt]), [
        [0, 0, 1000],
        [0, 0, 1000],
        [10, 1000, 2000],
        [1000, 1000, 2000]
      ])
    }))

  it.effect("recorded: each run of an effect is a task, with its outcome; nothing without a Timeline", () =>
    Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      const work = (seconds: number, fail = false) =>
        Effect.andThen(Effect.sleep(`${seconds} seconds`), fail ? Effect.fail("no") : Effect.void)
      // both forms of the duals: data-last (piped) and data-first
      const all = TestTime.run(
        Effect.all([
          Timeline.recorded("a", { group: "threads", lane: "Thread-1" })(work(1)),
          Timeline.recorded(work(2, true), "b", { group: "threads", lane: "Thread-2" }),
          Effect.forkChild(Timeline.recorded("c")(Effect.never), { startImmediately: true })
        ], { concurrency: "unbounded", mode: "result" })
      )
      yield* Timeline.recording(all, timeline)
      yield* TestTime.run(Timeline.recorded("outside")(work(1)))
      const records = yield* timeline.records
      assert.deepStrictEqual(
        records.map((r) => [r.source, r.group, r.lane, r.label, r.startedAt, r.endedAt, r.outcome]),
        [
          // the forked fiber is interrupted when its parent ends: on Effect 4 its parent is the
          // fiber of its element of the concurrent `all`, which ends as soon as it has forked
          ["task", "tasks", undefined, "c", 0, 0, "interrupted"],
          ["task", "threads", "Thread-1", "a", 0, 1000, "success"],
          ["task", "threads", "Thread-2", "b", 0, 2000, "failure"]
        ]
      )
    }))
})
