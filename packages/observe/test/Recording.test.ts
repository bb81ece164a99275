/**
 * What a WorkerPool and a TaskManager report to a Timeline: one record per call run on a worker
 * thread, one per attempt of a task, on the lane of the worker that ran it, with its outcome.
 */
import { assert, describe, it } from "@effect/vitest"
import * as WorkerPool from "@fiberkit/executor/WorkerPool"
import * as WorkerTask from "@fiberkit/executor/WorkerTask"
import type * as Recorder from "@fiberkit/sync/Recorder"
import * as TaskManager from "@fiberkit/tasks/TaskManager"
import * as TaskStore from "@fiberkit/tasks/TaskStore"
import { TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Schedule, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as Timeline from "../src/Timeline.js"

/** Every record's times are in order, and records on one lane do not overlap. */
const assertWellFormed = (records: ReadonlyArray<Recorder.TaskRecord>) => {
  for (const record of records) {
    assert.isTrue(
      record.queuedAt <= record.startedAt && record.startedAt <= record.endedAt,
      `${record.label}: queued ${record.queuedAt}, started ${record.startedAt}, ended ${record.endedAt}`
    )
  }
  const lanes = new Map<string | undefined, Array<Recorder.TaskRecord>>()
  for (const record of records) lanes.set(record.lane, [...(lanes.get(record.lane) ?? []), record])
  for (const [lane, onLane] of lanes) {
    const sorted = [...onLane].sort((a, b) => a.startedAt - b.startedAt)
    for (let i = 1; i < sorted.length; i++) {
      assert.isTrue(sorted[i]!.startedAt >= sorted[i - 1]!.endedAt, `${lane}: ${sorted[i]!.label} overlaps`)
    }
  }
}

/** The records by label (each label once). */
const byLabel = (records: ReadonlyArray<Recorder.TaskRecord>) => {
  const map = new Map(records.map((record) => [record.label, record]))
  assert.strictEqual(map.size, records.length, "one record per label")
  return map
}

// ---- WorkerPool ---------------------------------------------------------------------------

/**
 * The worker module of the WorkerPool tests, which serves these tasks. They are declared here
 * again (same names, same schemas) because a test file of this package cannot import another
 * package's test files; their `run` is the worker's and never runs on this thread.
 */
const tasksModule = new URL("../../executor/test/fixtures/tasks.js", import.meta.url)
const onWorker = () => Effect.die(new Error("runs in a worker thread"))

class Odd extends Schema.TaggedError<Odd>()("Odd", { n: Schema.Number }) {}

const half = WorkerTask.make("half", { payload: Schema.Number, success: Schema.Number, failure: Odd, run: onWorker })
const whoAmI = WorkerTask.make("whoAmI", {
  payload: Schema.Void,
  success: Schema.Struct({ threadId: Schema.Number, greeting: Schema.String }),
  run: onWorker
})
/** Sets `cells[0]` once it runs, then spins until `cells[1]` is set. */
const hold = WorkerTask.make("hold", { payload: Schema.Unknown, success: Schema.Number, run: onWorker })
const crash = WorkerTask.make("crash", {
  payload: Schema.Literals(["exit", "uncaught", "oom"]),
  success: Schema.Void,
  run: onWorker
})

const cells = () => new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT))

// Node 20 has Atomics.waitAsync; TypeScript's lib before es2024 does not declare it
const waitAsync = (Atomics as unknown as {
  readonly waitAsync: (array: Int32Array, index: number, value: number) => { readonly value: unknown }
}).waitAsync

/** Waits until the task in the worker has set `shared[0]`: it is running. */
const started = (shared: Int32Array) =>
  Effect.promise(async () => {
    while (Atomics.load(shared, 0) === 0) await waitAsync(shared, 0, 0).value
  })

const release = (shared: Int32Array) => Effect.sync(() => Atomics.store(shared, 1, 1))

// real threads answer in real time: live, one test after another
describe("WorkerPool records", { concurrent: false, timeout: 60_000 }, () => {
  it.live("each call run on a worker thread: one record, on the lane of its worker, with its outcome", () =>
    Effect.scoped(Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      const pool = yield* Timeline.recording(timeline)(
        WorkerPool.make({ module: tasksModule, concurrency: 2, name: "cpu" })
      )
      const inputs = [2, 3, 4, 6, 8, 10]
      const futures = yield* Effect.forEach(inputs, (n) => pool.submit(half(n)))
      // an effect runs on the main thread: its call is recorded, the effect itself is not
      const viaMain = yield* pool.submit(Effect.map(half(12), (n) => n + 1))
      yield* Effect.forEach(futures, (future) => future.await)
      assert.strictEqual(yield* viaMain.result, 7)

      const records = yield* timeline.records
      assert.strictEqual(records.length, inputs.length + 1)
      assertWellFormed(records)
      for (const record of records) {
        assert.strictEqual(record.source, "WorkerPool")
        assert.strictEqual(record.group, "cpu")
        assert.match(record.label, /^half#\d+$/)
      }
      // on the lane of the worker that ran it: one of the pool's two (which one took each call
      // depends on the threads' timing: under load, one worker may take them all)
      for (const record of records) assert.oneOf(record.lane, ["worker 0", "worker 1"])
      const labelled = byLabel(records)
      for (const [i, future] of futures.entries()) {
        assert.strictEqual(labelled.get(`half#${future.id}`)?.outcome, inputs[i] === 3 ? "failure" : "success")
      }
      assert.isFalse(labelled.has(`half#${viaMain.id}`))
    })))

  it.live("a cancelled call ends interrupted, a crash as a failure; a replacement worker keeps its slot's lane", () => {
    const handshake = cells()
    return Effect.scoped(Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      const pool = yield* Timeline.recording(timeline)(WorkerPool.make({ module: tasksModule, concurrency: 1 }))
      const first = (yield* (yield* pool.submit(whoAmI())).result).threadId
      // cancelling a running call terminates its worker
      const held = yield* pool.submit(hold(handshake))
      yield* started(handshake)
      assert.isTrue(yield* held.cancel)
      const crashed = yield* pool.submit(crash("exit"))
      assert.strictEqual((yield* Effect.flip(crashed.result))._tag, "WorkerCrashed")
      const last = (yield* (yield* pool.submit(whoAmI())).result).threadId
      assert.notStrictEqual(last, first, "the worker was replaced")

      const records = yield* timeline.records
      assertWellFormed(records)
      assert.deepStrictEqual(
        records.map((record) => [record.label.replace(/#\d+$/, ""), record.lane, record.outcome]),
        [
          ["whoAmI", "worker 0", "success"],
          ["hold", "worker 0", "interrupted"],
          ["crash", "worker 0", "failure"],
          ["whoAmI", "worker 0", "success"]
        ]
      )
      assert.strictEqual(records[1]!.label, `hold#${held.id}`)
      assert.strictEqual(records[2]!.label, `crash#${crashed.id}`)
      assert.match(records[0]!.group, /^\d+$/, "the default name: a number")
    })).pipe(Effect.ensuring(release(handshake)))
  })

  it.live("a pool made without a recorder records nothing, even when it runs under one", () =>
    Effect.scoped(Effect.gen(function*() {
      const timeline = yield* Timeline.make()
      const pool = yield* WorkerPool.make({ module: tasksModule, concurrency: 2 })
      const results = yield* Timeline.recording(timeline)(pool.map([2, 4, 6, 8], (n) => half(n)))
      assert.deepStrictEqual(results, [1, 2, 3, 4])
      assert.deepStrictEqual(yield* timeline.records, [])
    })))
})

// ---- TaskManager --------------------------------------------------------------------------

class Bounced extends Schema.TaggedError<Bounced>()("Bounced", { to: Schema.String }) {}

/**
 * Sends an email: takes `ms`, and bounces for an address in `bouncing` (a countdown per
 * address); `ms < 0` says it started (`running`) and never ends.
 */
const emails = (bouncing: Map<string, number>, running: Deferred.Deferred<void>) =>
  TaskManager.define("send", {
    args: Schema.Struct({ to: Schema.String, ms: Schema.Number }),
    run: ({ ms, to }) =>
      ms < 0 ? Effect.andThen(Deferred.succeed(running, undefined), Effect.never) : Effect.andThen(
        Effect.sleep(ms),
        Effect.suspend(() => {
          const left = bouncing.get(to) ?? 0
          if (left === 0) return Effect.succeed(`sent to ${to}`)
          bouncing.set(to, left - 1)
          return Effect.fail(new Bounced({ to }))
        })
      )
  })

/** The fields compared: times in virtual milliseconds. */
const brief = (record: Recorder.TaskRecord) =>
  [record.label, record.queuedAt, record.startedAt, record.endedAt, record.outcome] as const

describe("TaskManager records", () => {
  it.effect("each attempt: one record, on the lane of its worker, queued since it was runnable", () =>
    Effect.gen(function*() {
      const running = yield* Deferred.make<void>()
      const send = emails(new Map([["b", 1]]), running)
      const timeline = yield* Timeline.make()
      const manager = yield* Timeline.recording(timeline)(
        TaskManager.make({ tasks: [send], concurrency: 2, name: "mail", retry: Schedule.spaced("1 second") })
      )
      const [a, b, c, d] = yield* manager.addAll(send, [
        { to: "a", ms: 100 },
        { to: "b", ms: 100 },
        { to: "c", ms: 100 },
        { to: "d", ms: -1 }
      ])
      // a and b start at 0; at 100 a ends, b bounces (its retry is due at 1100) and c starts; at
      // 200 c ends and d starts, and runs until it is cancelled
      yield* TestTime.run(Deferred.await(running))
      yield* TestClock.adjust(1000)
      assert.isTrue(yield* manager.cancel(d!))
      yield* manager.join

      const records = yield* timeline.records
      assertWellFormed(records)
      for (const record of records) {
        assert.strictEqual(record.source, "TaskManager")
        assert.strictEqual(record.group, "mail")
      }
      const sorted = [...records].sort((x, y) => x.startedAt - y.startedAt || x.label.localeCompare(y.label))
      const [first, second] = [a!, b!].sort((x, y) => `send#${x}`.localeCompare(`send#${y}`))
      assert.deepStrictEqual(sorted.map(brief), [
        [`send#${first}`, 0, 0, 100, first === a ? "success" : "failure"],
        [`send#${second}`, 0, 0, 100, second === a ? "success" : "failure"],
        [`send#${c}`, 0, 100, 200, "success"],
        [`send#${d}`, 0, 200, 1200, "interrupted"],
        [`send#${b}`, 1100, 1100, 1200, "success"]
      ])
      // a, c and d one after another on one worker; both attempts of b on the other
      const lane = (id: string) => new Set(records.filter((r) => r.label === `send#${id}`).map((r) => r.lane))
      assert.deepStrictEqual(lane(c!), lane(a!))
      assert.deepStrictEqual(lane(d!), lane(a!))
      assert.strictEqual(lane(b!).size, 1)
      assert.deepStrictEqual(new Set([...lane(a!), ...lane(b!)]), new Set(["worker 0", "worker 1"]))
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("a timed-out attempt is a failure; the default name is the manager's number", () =>
    Effect.gen(function*() {
      const send = emails(new Map(), yield* Deferred.make<void>())
      const timeline = yield* Timeline.make()
      const manager = yield* Timeline.recording(timeline)(
        TaskManager.make({ tasks: [send], concurrency: 1, timeout: "50 millis" })
      )
      const [slow, quick] = yield* manager.addAll(send, [{ to: "slow", ms: 100 }, { to: "quick", ms: 10 }])
      yield* TestTime.run(manager.join)
      const records = yield* timeline.records
      assert.deepStrictEqual(records.map(brief), [
        [`send#${slow}`, 0, 0, 50, "failure"],
        [`send#${quick}`, 0, 50, 60, "success"]
      ])
      assert.deepStrictEqual(records.map((r) => r.lane), ["worker 0", "worker 0"])
      assert.match(records[0]!.group, /^\d+$/)
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("a manager made without a recorder records nothing, even when it runs under one", () =>
    Effect.gen(function*() {
      const send = emails(new Map([["b", 1]]), yield* Deferred.make<void>())
      const timeline = yield* Timeline.make()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2, retry: Schedule.recurs(1) })
      yield* Timeline.recording(timeline)(
        Effect.andThen(manager.addAll(send, [{ to: "a", ms: 10 }, { to: "b", ms: 10 }]), TestTime.run(manager.join))
      )
      assert.deepStrictEqual(yield* timeline.records, [])
    }).pipe(Effect.provide(TaskStore.layerMemory)))
})
