/**
 * Schedules on the TestClock (memory store): cron ticks at their exact times, the missed-ticks
 * policy across a restart to the millisecond, and a Schedule that ends.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskSchedule from "../src/TaskSchedule.js"
import * as TaskStore from "../src/TaskStore.js"

const MINUTE = 60_000

/** Moves the TestClock minute by minute, letting the fibers run between steps. */
const advance = (minutes: number) =>
  Effect.repeat(
    Effect.andThen(Effect.repeat(Effect.yieldNow, { times: 10 }), TestClock.adjust(MINUTE)),
    { times: minutes - 1 }
  )

const job = TaskManager.define("report", { args: Schema.String, run: () => Effect.void })

const ticksOf = (manager: TaskManager.TaskManager<typeof job>, schedule: string) =>
  Effect.map(
    manager.list({ name: "report" }),
    (records) =>
      records.map((r) => r.id).filter((id) => id.startsWith(`schedule:${schedule}:`))
        .map((id) => Number(id.split(":")[2]) / MINUTE).sort((a, b) => a - b)
  )

describe("TaskSchedule on the TestClock", () => {
  it.effect("a cron schedule ticks at its exact times", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const manager = yield* TaskManager.make({
        tasks: [job],
        store,
        schedules: [TaskSchedule.cron("five", { task: job, args: "x", cron: "0 */5 * * * *" })]
      })
      yield* advance(16)
      assert.deepStrictEqual(yield* ticksOf(manager, "five"), [5, 10, 15])
      assert.strictEqual(yield* store.ticks.last("five"), 15 * MINUTE)
    })))

  it.effect("after a restart the latest missed tick runs once, at the start, then the schedule goes on", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const schedules = [TaskSchedule.cron("five", { task: job, args: "x", cron: "0 */5 * * * *" })]
      const first = yield* TaskManager.make({ tasks: [job], store, schedules })
      yield* advance(6)
      yield* first.shutdown({ drain: true })
      // down from minute 6 to minute 31: the ticks of 10, 15, 20, 25 and 30 are missed
      yield* TestClock.adjust(25 * MINUTE)
      const second = yield* TaskManager.make({ tasks: [job], store, schedules })
      yield* advance(5)
      assert.deepStrictEqual(yield* ticksOf(second, "five"), [5, 30, 35])
    })))

  it.effect("a schedule the store never saw starts with its first tick after now; every tick is the Schedule's first delay after the last", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.adjust(7 * MINUTE)
      const store = yield* TaskStore.memory
      const manager = yield* TaskManager.make({
        tasks: [job],
        store,
        schedules: [
          TaskSchedule.every("twice", {
            task: job,
            args: "x",
            schedule: Schedule.max([Schedule.spaced("2 minutes"), Schedule.recurs(2)])
          })
        ]
      })
      yield* advance(10)
      // from minute 7, 2 minutes apart: an exponential Schedule stepped afresh from each tick gives
      // its first delay every time (the same ticks in every manager); one done at once adds none
      assert.deepStrictEqual(yield* ticksOf(manager, "twice"), [9, 11, 13, 15, 17])
      assert.deepStrictEqual(yield* ticksOf(manager, "never"), [])
    })))
})
