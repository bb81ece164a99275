/**
 * Review-26a regression tests (they failed before the fix). Review of the schedules (issue 26): TestClock, memory store. Each test failed before its fix.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskSchedule from "../src/TaskSchedule.js"
import * as TaskStore from "../src/TaskStore.js"

const SECOND = 1_000

/** Moves the TestClock step by step, letting the fibers run between steps. */
const advance = (steps: number, step: number) =>
  Effect.repeat(
    Effect.andThen(Effect.repeat(Effect.yieldNow, { times: 10 }), TestClock.adjust(step)),
    { times: steps - 1 }
  ).pipe(Effect.andThen(Effect.repeat(Effect.yieldNow, { times: 10 })))

const job = TaskManager.define("report", { args: Schema.String, run: () => Effect.void })

const ticksOf = (manager: TaskManager.TaskManager<typeof job>, schedule: string) =>
  Effect.map(
    manager.list({ name: "report", limit: 1_000_000 }),
    (records) =>
      records.map((r) => r.id).filter((id) => id.startsWith(`schedule:${schedule}:`))
        .map((id) => Number(id.slice(`schedule:${schedule}:`.length))).sort((a, b) => a - b)
  )

describe("review: schedules", () => {
  it.effect("two managers on one store, started 30 s apart, add an every-minute schedule's ticks once a minute", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const schedules = [TaskSchedule.every("minutely", { task: job, args: "x", schedule: "1 minute" })]
      const first = yield* TaskManager.make({ tasks: [job], store, schedules })
      yield* advance(30, SECOND)
      yield* TaskManager.make({ tasks: [job], store, schedules })
      yield* advance(300, SECOND)
      const ticks = yield* ticksOf(first, "minutely")
      // 5 minutes and 30 s: at most 5 ticks "once across every manager on the store"
      assert.isAtMost(ticks.length, 5, `ticks at ${ticks.map((t) => t / SECOND).join(", ")} s`)
    })))

  it.effect("after a long pause an every-100-ms schedule runs the latest missed tick once, not a burst of old ticks", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const schedules = [TaskSchedule.every("fast", { task: job, args: "x", schedule: "100 millis" })]
      const first = yield* TaskManager.make({ tasks: [job], store, schedules })
      yield* advance(3, 100)
      yield* first.shutdown({ drain: true })
      const before = (yield* ticksOf(first, "fast")).length
      const last = yield* store.ticks.last("fast")
      assert.isDefined(last)
      // down for 100,050 intervals (under three hours)
      yield* TestClock.adjust(100 * 100_050)
      const restart = yield* Clock.currentTimeMillis
      const second = yield* TaskManager.make({ tasks: [job], store, schedules })
      // (the schedule steps through the pause first)
      yield* Effect.repeat(Effect.yieldNow, { times: 20_000 })
      const added = (yield* ticksOf(second, "fast")).slice(before)
      // the latest missed tick (at or before the restart), once, and nothing older
      assert.deepStrictEqual(added.filter((at) => at <= restart).length, 1, `added ${added.length} ticks at the start`)
    })))

  it.effect("two managers on one store with one schedule: join ends once every tick has run", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const schedules = [TaskSchedule.cron("each-second", { task: job, args: "x", cron: "* * * * * *" })]
      const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
      const second = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
      yield* advance(10, SECOND)
      const states = (yield* first.list({ name: "report" })).map((r) => r.state)
      assert.deepStrictEqual(states.filter((s) => s !== "succeeded"), [], "every tick has run")
      const joins = yield* Effect.forkChild(Effect.all([first.join, second.join]))
      yield* Effect.repeat(Effect.yieldNow, { times: 100 })
      assert.isDefined(joins.pollUnsafe(), "no task is queued or running, yet a join waits")
      yield* Fiber.interrupt(joins)
    })))
})
