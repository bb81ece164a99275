/**
 * Review of issue 26: scenarios run on every store (memory and SQLite in
 * test/SharedStoreEdges.test.ts, BullMQ in test-redis/SharedStoreEdges.test.ts), live clock.
 * `reviewEdges` failed before its fix; `reviewPins` passes and pins promises.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schema, Stream } from "effect"
import * as TaskContext from "../src/TaskContext.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskSchedule from "../src/TaskSchedule.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

export const reviewEdges = (name: string, store: StoreFactory) =>
  describe(`review of issue 26: ${name}`, () => {
    it.live("two managers started 100 ms apart add an every-300-ms schedule's ticks at most once per 300 ms", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = TaskManager.define("tick", { args: Schema.String, run: () => Effect.void })
          const schedules = [TaskSchedule.every("shared", { task: job, args: "x", schedule: "300 millis" })]
          const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
          yield* Effect.sleep("100 millis")
          yield* TaskManager.make({ tasks: [job], concurrency: 1, store, schedules })
          yield* Effect.sleep("1300 millis")
          const times = (yield* first.list({ name: "tick" })).map((r) => Number(r.id.slice("schedule:shared:".length)))
            .sort((a, b) => a - b)
          const gaps = times.slice(1).map((t, i) => t - times[i]!)
          // "a tick that two managers … both fire is added once and runs once"
          assert.isTrue(gaps.every((gap) => gap >= 300), `ticks ${gaps.join(", ")} ms apart`)
        })))

    it.live("a report from a fiber that outlives its task changes neither status nor the result", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = TaskManager.define("report", {
            args: Schema.Number,
            run: () =>
              Effect.andThen(
                TaskContext.progress(10),
                Effect.forkDetach(Effect.andThen(Effect.sleep("100 millis"), TaskContext.progress(99)))
              )
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const results = yield* manager.subscribe
          const result = yield* Effect.forkChild(Stream.runHead(results))
          const id = yield* manager.add(job, 1)
          const ended = Option.getOrThrow(yield* within("the result", Fiber.join(result)))
          yield* Effect.sleep("400 millis")
          const record = yield* manager.status(id)
          // "seen as progress in status(id) and on the task's result"
          assert.deepStrictEqual([record.state, record.progress], ["succeeded", ended.progress])
        })))
  })

export const reviewPins = (name: string, store: StoreFactory) =>
  describe(`review of issue 26, pins (passing): ${name}`, () => {
    it.live("progress reported by a fiber the task forked, then by the task: the last value is in status and on the result", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = TaskManager.define("report", {
            args: Schema.Number,
            run: () =>
              Effect.gen(function*() {
                // its write is in flight when the task reports again, and then ends
                yield* Effect.forkChild(TaskContext.progress(50))
                yield* Effect.yieldNow
                yield* TaskContext.progress(100)
              })
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const results = yield* manager.subscribe
          const result = yield* Effect.forkChild(Stream.runHead(results))
          const id = yield* manager.add(job, 1)
          const ended = Option.getOrThrow(yield* within("the result", Fiber.join(result)))
          assert.strictEqual(ended.state, "succeeded")
          assert.strictEqual(ended.progress, 100, "on the result")
          yield* Effect.sleep("200 millis")
          const record = yield* manager.status(id)
          assert.deepStrictEqual([record.state, record.progress], ["succeeded", 100], "in status")
        })))

    it.live("a schedule's ticks take the definition's priority when the schedule gives none", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = TaskManager.define("urgent", { args: Schema.String, run: () => Effect.void, priority: 7 })
          const manager = yield* TaskManager.make({
            tasks: [job],
            concurrency: 1,
            store,
            schedules: [TaskSchedule.every("beat", { task: job, args: "x", schedule: "100 millis" })]
          })
          yield* eventually("a tick", Effect.map(manager.list({ name: "urgent" }), (records) => records.length > 0))
          const records = yield* manager.list({ name: "urgent" })
          assert.deepStrictEqual(records.map((r) => r.priority), records.map(() => 7))
        })))

    it.live("huge finite delays: each task is queued with its time and does not run", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          let runs = 0
          const job = TaskManager.define("later", { args: Schema.Number, run: () => Effect.sync(() => void runs++) })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const delays = [2 ** 31, 2 ** 31 + 1, 1e12, 1e15, 1e17, 1e300]
          const outcomes: Array<string> = []
          for (const delay of delays) {
            const added = yield* Effect.result(manager.add(job, delay, { delay }))
            if (added._tag === "Failure") {
              outcomes.push(`${delay}: ${added.failure._tag}`)
              continue
            }
            const record = yield* manager.status(added.success)
            outcomes.push(
              `${delay}: ${record.state} ${record.runAt !== undefined && record.runAt - record.addedAt === delay}`
            )
          }
          yield* Effect.sleep("500 millis")
          // "Not taken before this much time has passed (a finite duration ≥ 0 …) … out of range: InvalidOptions"
          for (const outcome of outcomes) assert.match(outcome, /(: queued true$)|(: InvalidOptions$)/, outcome)
          assert.strictEqual(runs, 0, "a task delayed by years ran at once")
        })))
  })
