/**
 * Review of issue 26 on the SQLite store across restarts (TestClock): delayed tasks, dead
 * letters and schedules, each manager on its own opening of one file. These pass: they pin the
 * promises of a restart (a delayed task runs once at its time, a dead letter stays dead).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Schedule, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskSchedule from "../src/TaskSchedule.js"
import * as TaskStore from "../src/TaskStore.js"
import { tempFile } from "./fixtures/tempFile.js"

const MINUTE = 60_000

/** The store on `file`, opened in the current scope. */
const open = (file: string) =>
  Effect.map(
    Layer.build(Layer.fresh(SqliteStore.layer({ filename: file }))),
    (context) => context.mapUnsafe.get(TaskStore.TaskStore.key) as TaskStore.TaskStore
  )

const settle = Effect.repeat(Effect.yieldNow, { times: 50 })

describe("review: SQLite restarts — pins (passing)", () => {
  it.effect("a restart while a tick is queued and another was missed: join ends once both ran", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      const runs: Array<string> = []
      const block = yield* Deferred.make<void>()
      const blocking = TaskManager.define("tick", { args: Schema.String, run: () => Deferred.await(block) })
      const quick = TaskManager.define("tick", {
        args: Schema.String,
        run: (label) => Effect.sync(() => void runs.push(label))
      })
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* open(file)
        const schedules = [TaskSchedule.every("minutely", { task: blocking, args: "x", schedule: "1 minute" })]
        yield* TaskManager.make({ tasks: [blocking], concurrency: 1, store, schedules })
        yield* settle
        yield* TestClock.adjust(MINUTE)
        yield* settle
        // the tick of minute 1 is running: the scope's close puts it back in the queue
      }))
      yield* TestClock.adjust(3 * MINUTE)
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* open(file)
        const schedules = [TaskSchedule.every("minutely", { task: quick, args: "x", schedule: "1 minute" })]
        const manager = yield* TaskManager.make({ tasks: [quick], concurrency: 1, store, schedules })
        yield* settle
        const records = yield* manager.list({ name: "tick" })
        assert.deepStrictEqual(records.map((r) => [r.id, r.state]), [
          ["schedule:minutely:60000", "succeeded"],
          ["schedule:minutely:240000", "succeeded"]
        ])
        const join = yield* Effect.forkChild(manager.join)
        yield* settle
        assert.isDefined(join.pollUnsafe(), "both ticks ran, yet join waits")
        yield* Fiber.interrupt(join)
      }))
    })))

  it.effect("a task delayed past a restart runs once, at its exact time; a dead letter stays dead until replayed", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      const runs: Array<[string, number]> = []
      const job = TaskManager.define("job", {
        args: Schema.String,
        run: (label) =>
          Effect.flatMap(
            Effect.clockWith((clock) => clock.currentTimeMillis),
            (now) =>
              label.startsWith("bad") && runs.filter(([l]) => l === label).length < 2
                ? Effect.andThen(Effect.sync(() => void runs.push([label, now])), Effect.fail("bad"))
                : Effect.sync(() => void runs.push([label, now]))
          )
      })
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* open(file)
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store, retry: Schedule.recurs(1) })
        yield* manager.add(job, "later", { id: "later", delay: 10 * MINUTE })
        yield* manager.add(job, "bad", { id: "bad" })
        yield* manager.add(job, "bad-replayed", { id: "bad-replayed" })
        yield* settle
        assert.strictEqual((yield* manager.status("bad")).state, "failed")
        assert.strictEqual((yield* manager.status("bad-replayed")).state, "failed")
        yield* TestClock.adjust(MINUTE)
      }))
      yield* TestClock.adjust(4 * MINUTE)
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* open(file)
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
        yield* settle
        assert.strictEqual((yield* manager.status("later")).state, "queued")
        assert.isTrue(yield* manager.retry("bad-replayed"))
        yield* settle
        yield* TestClock.adjust(5 * MINUTE - 1)
        yield* settle
        assert.strictEqual((yield* manager.status("later")).state, "queued", "not a millisecond early")
        yield* TestClock.adjust(1)
        yield* settle
        yield* manager.join
        const later = yield* manager.status("later")
        assert.strictEqual(later.state, "succeeded")
        assert.strictEqual(later.startedAt, 10 * MINUTE)
        assert.strictEqual((yield* manager.status("bad")).state, "failed")
        assert.strictEqual((yield* manager.status("bad-replayed")).state, "succeeded")
      }))
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* open(file)
        yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
        yield* settle
        yield* TestClock.adjust(MINUTE)
      }))
      assert.deepStrictEqual(runs.map(([label]) => label).sort(), [
        "bad",
        "bad",
        "bad-replayed",
        "bad-replayed",
        "bad-replayed",
        "later"
      ])
      assert.deepStrictEqual(runs.find(([label]) => label === "later"), ["later", 10 * MINUTE])
    })))
})
