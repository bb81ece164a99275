/** What only the BullMQ store has: listing tasks by state, the `once` guard, producers and workers apart. */
import { assert, describe, it } from "@effect/vitest"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { Deferred, Effect, Fiber, Metric, Option, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskStore from "../src/TaskStore.js"
import { freshStore } from "./redis.js"

describe("BullMQStore", () => {
  it.live("list: the tasks in each state, oldest first", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      const gate = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.Number,
        run: (n) => n === 0 ? Deferred.await(gate) : n === 1 ? Effect.fail("no") : Effect.succeed(n)
      })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      const [blocker] = yield* manager.addAll(job, [0])
      while ((yield* manager.status(blocker!)).state !== "running") yield* Effect.sleep("5 millis")
      const [failing, succeeding, cancelled] = yield* manager.addAll(job, [1, 2, 3])
      assert.isTrue(yield* manager.cancel(cancelled!))
      const ids = (state: TaskStore.TaskState) =>
        Effect.map(store.list({ state }), (records) => records.map((record) => record.id))
      assert.deepStrictEqual(yield* ids("running"), [blocker])
      assert.deepStrictEqual(yield* ids("queued"), [failing, succeeding])
      assert.deepStrictEqual(yield* ids("cancelled"), [cancelled])
      yield* Deferred.succeed(gate, undefined)
      yield* manager.join
      assert.deepStrictEqual([...(yield* ids("succeeded"))].sort(), [blocker, succeeding].sort())
      assert.deepStrictEqual(yield* ids("failed"), [failing])
      assert.deepStrictEqual(yield* ids("queued"), [])
      assert.strictEqual((yield* store.list({ state: "succeeded", limit: 1 })).length, 1)
    })))

  it.live("once: a second run under the same key is skipped; a failed run leaves the key free", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let runs = 0
      const effect = Effect.sync(() => ++runs)
      assert.deepStrictEqual(yield* store.once("order-1", effect), Option.some(1))
      assert.deepStrictEqual(yield* store.once("order-1", effect), Option.none())
      assert.strictEqual(yield* Effect.flip(store.once("order-2", Effect.fail("boom"))), "boom")
      assert.deepStrictEqual(yield* store.once("order-2", effect), Option.some(2))
      // two runs at once: the second waits for the first, then skips
      const slow = Effect.andThen(Effect.sleep("50 millis"), effect)
      const both = yield* Effect.all([store.once("order-3", slow), store.once("order-3", slow)], {
        concurrency: "unbounded"
      })
      assert.strictEqual(runs, 3)
      assert.deepStrictEqual(both.filter(Option.isSome).length, 1)
    })))

  it.live("a producer (concurrency: 0) runs nothing; a manager elsewhere on the queue runs its tasks, and both see the results", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      const ranBy: Array<string> = []
      const double = (who: string) =>
        TaskManager.define("double", {
          args: Schema.Number,
          // (Effect 3's Schema.Date: a Date encoded as a string)
          success: Schema.Struct({ doubled: Schema.Number, at: Schema.DateFromString }),
          run: (n) => Effect.sync(() => (ranBy.push(who), { doubled: n * 2, at: new Date(0) }))
        })
      const producer = yield* TaskManager.make({ tasks: [double("producer")], concurrency: 0, store })
      const results = yield* producer.subscribe
      const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 3)))
      yield* producer.addAll("double", [1, 2, 3])
      yield* Effect.sleep("100 millis")
      assert.deepStrictEqual(ranBy, [], "the producer runs nothing")
      const worker = yield* TaskManager.make({ tasks: [double("worker")], concurrency: 2, store })
      yield* producer.join
      assert.deepStrictEqual(ranBy, ["worker", "worker", "worker"])
      const values = (yield* Fiber.join(collected)).flatMap((r) => r.state === "succeeded" ? [r.value] : [])
      assert.deepStrictEqual(values.map((v) => v.doubled).sort(), [2, 4, 6])
      assert.isTrue(values.every((v) => v.at instanceof Date), "the value crossed Redis Schema-encoded")
      yield* worker.shutdown({ drain: true })
    })))

  it.live("metrics: fiberkit_limit is a manager's concurrency — 0 for a producer", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.void })
      yield* TaskManager.make({ tasks: [job], concurrency: 0, store, name: "producer" })
      yield* TaskManager.make({ tasks: [job], concurrency: 3, store, name: "worker" })
      assert.strictEqual((yield* Telemetry.values("TaskManager", "producer")).limit, 0)
      assert.strictEqual((yield* Telemetry.values("TaskManager", "worker")).limit, 3)
    })).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer())))
})
