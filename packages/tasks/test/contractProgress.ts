/**
 * The TaskManager contract for progress and the task's context (issue 26): a running task's
 * `TaskContext.progress` is seen in `status` while it runs and on its result; `TaskContext.current`
 * names the task and its attempt; a definition's `priority` is its adds' default. Every store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Schedule, Schema, Stream } from "effect"
import * as TaskContext from "../src/TaskContext.js"
import * as TaskManager from "../src/TaskManager.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

class Again extends Schema.TaggedError<Again>()("Again", {}) {}

export const contractProgress = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, progress: ${name}`, () => {
    it.live("progress reported by a running task shows in status, and its last value on the result", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const halfway = yield* Deferred.make<void>()
          const finish = yield* Deferred.make<void>()
          const job = TaskManager.define("import", {
            args: Schema.Number,
            run: (rows) =>
              Effect.gen(function*() {
                for (let row = 1; row <= rows / 2; row++) yield* TaskContext.progress(row)
                yield* Deferred.succeed(halfway, undefined)
                yield* Deferred.await(finish)
                for (let row = rows / 2 + 1; row <= rows; row++) yield* TaskContext.progress(row)
              })
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const results = yield* manager.subscribe
          const result = yield* Effect.forkChild(Stream.runHead(results))
          const id = yield* manager.add(job, 100)
          assert.isUndefined((yield* manager.status(id)).progress)
          yield* within("halfway", Deferred.await(halfway))
          // coalesced writes: the last one reported is the one written last
          yield* eventually("progress 50 in status", Effect.map(manager.status(id), (r) => r.progress === 50))
          yield* Deferred.succeed(finish, undefined)
          const ended = Option.getOrThrow(yield* within("the result", Fiber.join(result)))
          assert.strictEqual(ended.state, "succeeded")
          assert.strictEqual(ended.progress, 100)
          const record = yield* manager.status(id)
          assert.strictEqual(record.progress, 100)
        })))

    it.live("TaskContext.current names the task and its attempt; outside a task it is None", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const seen: Array<string> = []
          const job = TaskManager.define("twice", {
            args: Schema.Void,
            failure: Again,
            run: () =>
              Effect.flatMap(TaskContext.current, (task) => {
                const current = Option.getOrThrow(task)
                seen.push(`${current.name} ${current.id} ${current.attempt}`)
                return current.attempt === 1 ? Effect.fail(new Again()) : Effect.void
              })
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, retry: Schedule.recurs(1) })
          const id = yield* manager.add(job, undefined)
          yield* within("join", manager.join)
          assert.deepStrictEqual(seen, [`twice ${id} 1`, `twice ${id} 2`])
          assert.isTrue(Option.isNone(yield* TaskContext.current))
          // outside a task, progress does nothing; a value that is not finite is refused
          yield* TaskContext.progress(1)
          assert.strictEqual((yield* Effect.flip(TaskContext.progress(Number.NaN)))._tag, "InvalidOptions")
        })))

    it.live("a definition's priority is the default of its adds; add's own priority wins", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const urgent = TaskManager.define("urgent", { args: Schema.Number, run: () => Effect.void, priority: 7 })
          const manager = yield* TaskManager.make({ tasks: [urgent], concurrency: 1, store })
          const byDefault = yield* manager.add(urgent, 1)
          const given = yield* manager.add(urgent, 2, { priority: 0 })
          assert.strictEqual((yield* manager.status(byDefault)).priority, 7)
          assert.strictEqual((yield* manager.status(given)).priority, 0)
          yield* within("join", manager.join)
          const bad = TaskManager.define("bad", { args: Schema.Number, run: () => Effect.void, priority: 1.5 })
          const error = yield* Effect.flip(TaskManager.make({ tasks: [bad], concurrency: 1, store }))
          assert.strictEqual(error._tag, "InvalidOptions")
          if (error._tag === "InvalidOptions") assert.strictEqual(error.field, `tasks["bad"].priority`)
        })))
  })
