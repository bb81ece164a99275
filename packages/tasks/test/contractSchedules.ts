/**
 * The TaskManager contract for schedules (issue 26): a schedule adds its task at each tick — a task
 * whose id names the tick — until its manager shuts down; two managers on one store run each tick
 * once; a manager started after a pause runs the latest missed tick once, then goes on; bad
 * schedules fail `InvalidOptions`. Live clock, ticks 150–200 ms apart, every store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskSchedule from "../src/TaskSchedule.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

/** A task that counts its runs by tick id (its own id, read from the store afterwards). */
const ticker = (runs: Array<number>) =>
  TaskManager.define("tick", {
    args: Schema.String,
    run: () => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void runs.push(now)))
  })

const tickTimes = (ids: ReadonlyArray<string>, schedule: string): Array<number> =>
  ids.filter((id) => id.startsWith(`schedule:${schedule}:`)).map((id) =>
    Number(id.slice(`schedule:${schedule}:`.length))
  )
    .sort((a, b) => a - b)

export const contractSchedules = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, schedules: ${name}`, () => {
    it.live("a schedule adds its task at each tick, spaced as it says, until the manager shuts down", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const runs: Array<number> = []
          const job = ticker(runs)
          const manager = yield* TaskManager.make({
            tasks: [job],
            concurrency: 1,
            store,
            schedules: [TaskSchedule.every("beat", { task: job, args: "beat", schedule: "150 millis" })]
          })
          yield* eventually("three ticks ran", Effect.sync(() => runs.length >= 3))
          yield* manager.shutdown({ drain: true })
          const ids = (yield* manager.list({ name: "tick" })).map((record) => record.id)
          const times = tickTimes(ids, "beat")
          assert.isAtLeast(times.length, 3)
          for (let i = 1; i < times.length; i++) assert.strictEqual(times[i]! - times[i - 1]!, 150)
          const after = runs.length
          yield* Effect.sleep("400 millis")
          assert.strictEqual(runs.length, after, "no tick after the shutdown")
        })))

    it.live("two managers on one store run each tick once", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const runs: Array<number> = []
          const job = ticker(runs)
          const schedules = [TaskSchedule.every("shared", { task: job, args: "shared", schedule: "150 millis" })]
          const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
          yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
          yield* eventually("four ticks ran", Effect.sync(() => runs.length >= 4))
          yield* Effect.sleep("50 millis")
          const records = yield* first.list({ name: "tick" })
          const times = tickTimes(records.map((r) => r.id), "shared")
          assert.strictEqual(new Set(times).size, times.length)
          for (const record of records) assert.isAtMost(record.attempts, 1, record.id)
          // every tick added ran once: no tick ran twice under another id
          assert.isAtMost(runs.length, times.length)
        })))

    it.live("a manager started after a pause runs the latest missed tick once, then goes on", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const runs: Array<number> = []
          const job = ticker(runs)
          const schedules = [TaskSchedule.every("resumed", { task: job, args: "r", schedule: "200 millis" })]
          const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
          yield* eventually("a tick ran", Effect.sync(() => runs.length >= 1))
          yield* first.shutdown({ drain: true })
          const last = yield* store.ticks.last("resumed")
          assert.isDefined(last)
          // three ticks missed
          yield* Effect.sleep("700 millis")
          const restart = yield* Clock.currentTimeMillis
          const second = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
          const made = yield* Clock.currentTimeMillis
          yield* eventually("the missed tick and one more ran", Effect.sync(() => runs.length >= 3))
          yield* second.shutdown({ drain: true })
          const times = tickTimes((yield* second.list({ name: "tick" })).map((r) => r.id), "resumed")
          const sinceLast = times.filter((t) => t > last!)
          // the first tick after the pause is one missed while no manager ran: due before the start
          assert.isAtMost(sinceLast[0]!, made)
          // and the latest of them: the next one on the schedule was not due yet at the restart
          assert.isAbove(sinceLast[0]! + 200, restart)
          // then the schedule goes on from it
          assert.isAtLeast(sinceLast.length, 2)
          for (let i = 1; i < sinceLast.length; i++) assert.strictEqual(sinceLast[i]! - sinceLast[i - 1]!, 200)
        })))

    it.live("a schedule that is wrong fails InvalidOptions", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = ticker([])
          const other = TaskManager.define("other", { args: Schema.Number, run: () => Effect.void })
          const cases: ReadonlyArray<readonly [string, ReadonlyArray<TaskSchedule.TaskSchedule>]> = [
            ["schedules[1].id", [
              TaskSchedule.every("x", { task: job, args: "a", schedule: "1 second" }),
              TaskSchedule.every("x", { task: job, args: "b", schedule: "1 second" })
            ]],
            ["schedules[0].id", [TaskSchedule.every("", { task: job, args: "a", schedule: "1 second" })]],
            ["schedules[0].task", [TaskSchedule.every("o", { task: other, args: 1, schedule: "1 second" })]],
            ["schedules[0].args", [TaskSchedule.every("a", { task: job, args: 42 as never, schedule: "1 second" })]],
            ["schedules[0].cron", [TaskSchedule.cron("c", { task: job, args: "a", cron: "not a cron" })]],
            ["schedules[0].cron", [
              TaskSchedule.cron("z", { task: job, args: "a", cron: "* * * * *", timeZone: "Nowhere/Else" })
            ]],
            ["schedules[0].schedule", [TaskSchedule.every("s", { task: job, args: "a", schedule: 0 })]],
            ["schedules[0].priority", [
              TaskSchedule.every("p", { task: job, args: "a", schedule: "1 second", priority: 0.5 })
            ]]
          ]
          for (const [field, schedules] of cases) {
            const error = yield* Effect.flip(
              TaskManager.make({
                tasks: [job],
                concurrency: 1,
                store,
                schedules: schedules as ReadonlyArray<TaskSchedule.TaskSchedule<typeof job>>
              })
            )
            assert.strictEqual(error._tag, "InvalidOptions", field)
            if (error._tag === "InvalidOptions") assert.strictEqual(error.field, field)
          }
          yield* within("nothing left running", Effect.void)
        })))
  })
