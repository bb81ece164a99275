/**
 * Workers are supervised: a store operation that fails is logged and retried on `storeRetry`, an
 * outcome is published exactly once — after the store took it, or, when the store keeps failing,
 * with the failure surfaced in `status` — and `join` never wedges. Each test injects faults with
 * a wrapper around the memory store, and drives the retries' delays on the TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Fiber, Schedule, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"
import { emails } from "./contract.js"
import { capturedLogs, faulty, stateIn } from "./fixtures/faultyStore.js"

describe("TaskManager supervision", () => {
  it.effect("a finish the store fails once is retried: the outcome is published once, after the store took it", () => {
    const logs = capturedLogs()
    return Effect.gen(function*() {
      const inner = yield* TaskStore.memory
      const { calls, store } = faulty(inner, { finish: 1 })
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 1, store })
      const results = yield* manager.subscribe
      // each outcome, with what the store held for its task when it was read
      const seen = yield* Effect.forkChild(
        Stream.runCollect(
          Stream.mapEffect(
            results,
            (result) => Effect.map(stateIn(inner, result.id), (stored) => ({ ...result, stored }))
          )
        )
      )
      const id = yield* manager.add(send, { to: "a@x", ms: 10 })
      yield* TestTime.run(manager.join)
      yield* TestTime.run(manager.shutdown({ drain: true }))
      const outcomes = yield* Fiber.join(seen)
      assert.deepStrictEqual(outcomes.map((o) => [o.id, o.state, o.stored]), [[id, "succeeded", "succeeded"]])
      assert.strictEqual(calls.finish, 2)
      assert.strictEqual((yield* manager.status(id)).state, "succeeded")
      const warning = logs.lines.find((line) => line.level === "WARN")
      assert.isDefined(warning, "the failure is logged")
      assert.strictEqual(warning!.annotations.taskId, id)
      assert.strictEqual(warning!.annotations.operation, "finish")
      assert.include(warning!.message, "injected fault 1 in finish")
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("a take the store fails again and again does not end the worker: it retries and runs the task", () => {
    const logs = capturedLogs()
    return Effect.gen(function*() {
      const { calls, store } = faulty(yield* TaskStore.memory, { take: 3 })
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 1, store })
      const id = yield* manager.add(send, { to: "a@x", ms: 10 })
      yield* TestTime.run(manager.join)
      assert.strictEqual((yield* manager.status(id)).state, "succeeded")
      assert.isAtLeast(calls.take, 4)
      assert.strictEqual(logs.lines.filter((line) => line.annotations.operation === "take").length, 3)
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("a release the store fails once during a stop is retried: the task still goes back to the queue", () =>
    Effect.gen(function*() {
      const inner = yield* TaskStore.memory
      const { calls, store } = faulty(inner, { release: 1 })
      const started = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.String,
        run: () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
      })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      const id = yield* manager.add(job, "a")
      yield* Deferred.await(started)
      yield* TestTime.run(manager.shutdown({ drain: false }))
      assert.strictEqual(calls.release, 2)
      assert.strictEqual((yield* manager.status(id)).state, "queued")
    }))

  it.effect("an attempt the store fails once is retried: the task goes on to its next attempt", () =>
    Effect.gen(function*() {
      const { calls, store } = faulty(yield* TaskStore.memory, { attempt: 1 })
      const send = emails(new Map([["flaky@x", 1]]))
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 1, store, retry: Schedule.recurs(1) })
      const id = yield* manager.add(send, { to: "flaky@x", ms: 10 })
      yield* TestTime.run(manager.join)
      const status = yield* manager.status(id)
      assert.strictEqual(status.state, "succeeded")
      assert.strictEqual(status.attempts, 2)
      assert.strictEqual(calls.attempt, 2)
    }))

  it.effect("a finish the store keeps failing past storeRetry: the outcome is published once, join returns, status reports the store error", () => {
    const logs = capturedLogs()
    return Effect.gen(function*() {
      const inner = yield* TaskStore.memory
      const { calls, store } = faulty(inner, { finish: Infinity })
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 1, store, storeRetry: Schedule.recurs(2) })
      const results = yield* manager.subscribe
      const all = yield* Effect.forkChild(Stream.runCollect(results))
      const id = yield* manager.add(send, { to: "a@x", ms: 10 })
      yield* TestTime.run(manager.join)
      yield* TestTime.run(manager.shutdown({ drain: true }))
      const outcomes = yield* Fiber.join(all)
      assert.deepStrictEqual(outcomes.map((o) => [o.id, o.state, o.state === "succeeded" ? o.value : undefined]), [[
        id,
        "succeeded",
        "sent to a@x"
      ]])
      assert.strictEqual(calls.finish, 3, "tried once, then retried twice")
      const error = yield* Effect.flip(manager.status(id))
      assert.strictEqual(error._tag, "TaskStoreError")
      assert.include(error.message, id)
      assert.include(error.message, "succeeded")
      assert.include(error.message, "injected fault 3 in finish")
      // the store itself still holds the task as running (after a restart, a durable store runs it again)
      assert.strictEqual(yield* stateIn(inner, id), "running")
      const given = logs.lines.filter((line) => line.level === "ERROR" && line.annotations.taskId === id)
      assert.strictEqual(given.length, 1, "giving up is logged as an error")
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("the default storeRetry is the documented one: exponential from 100 ms, each delay at most 5 s, 10 retries", () =>
    Effect.gen(function*() {
      const { at, store } = faulty(yield* TaskStore.memory, { finish: Infinity })
      const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      yield* manager.add(job, 1)
      yield* TestTime.run(manager.join)
      const delays = at.finish.slice(1).map((t, i) => t - at.finish[i]!)
      assert.deepStrictEqual(delays, [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000])
    }))

  it.effect("a cancel whose store read fails changes nothing: the task still runs, and join returns", () =>
    Effect.gen(function*() {
      const { store } = faulty(yield* TaskStore.memory, { get: 1 })
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.String,
        run: (name) =>
          name === "blocker" ? Effect.andThen(Deferred.succeed(started, undefined), Deferred.await(gate)) : Effect.void
      })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      yield* manager.add(job, "blocker")
      yield* Deferred.await(started)
      const queued = yield* manager.add(job, "queued")
      const failed = yield* Effect.flip(manager.cancel(queued))
      assert.strictEqual(failed._tag, "TaskStoreError")
      yield* Deferred.succeed(gate, undefined)
      yield* TestTime.run(manager.join)
      assert.strictEqual((yield* manager.status(queued)).state, "succeeded")
    }))
})
