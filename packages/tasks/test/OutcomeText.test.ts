/**
 * Regression tests from the issue 23 review (local stores): a failure or defect whose value `String()` cannot convert
 * (a null-prototype object) loses the task: `describe` in internal/definitions.ts throws.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schedule, Schema, Stream } from "effect"
import { TaskDefect } from "../src/Errors.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

/** The first outcome on `results`, or None after `ms` (a task whose outcome never comes). */
const firstWithin = <A, E>(stream: Stream.Stream<A, E>, ms: number) =>
  Effect.timeoutOption(Stream.runHead(stream), ms).pipe(Effect.map(Option.flatten))

describe("regression (issue 23 review): defects whose value is not an Error (local)", () => {
  // node's `querystring.parse` returns such objects; so does `Object.create(null)` as a dictionary
  it.live("a task that dies with a null-prototype object still ends, failed with TaskDefect", () =>
    Effect.gen(function*() {
      const dict = Object.create(null) as Record<string, unknown>
      dict.reason = "bad input"
      const dies = TaskManager.define("dies", { args: Schema.Number, run: () => Effect.die(dict) })
      const manager = yield* TaskManager.make({ tasks: [dies], concurrency: 1 })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 2_000))
      const id = yield* manager.add(dies, 1)
      const result = yield* Fiber.join(outcome)
      // promise: every added task ends in exactly one final state, published once
      assert(Option.isSome(result), "no outcome published within 2 s: the task was lost")
      assert(result.value.state === "failed", result.value.state)
      assert.instanceOf(result.value.error, TaskDefect)
      const joined = yield* Effect.timeoutOption(manager.join, 1_000)
      assert(Option.isSome(joined), "join never returned")
      assert.strictEqual((yield* manager.status(id)).state, "failed")
    }).pipe(Effect.scoped, Effect.provide(TaskStore.layerMemory)))

  it.live("a task failing with a null-prototype object (typed error) still ends, failed with it", () =>
    Effect.gen(function*() {
      const dict = Object.create(null) as Record<string, unknown>
      dict.code = 42
      const fails = TaskManager.define("fails", { args: Schema.Number, run: () => Effect.fail(dict) })
      const manager = yield* TaskManager.make({ tasks: [fails], concurrency: 1 })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 2_000))
      yield* manager.add(fails, 1)
      const result = yield* Fiber.join(outcome)
      assert(Option.isSome(result), "no outcome published within 2 s: the task was lost")
      assert(result.value.state === "failed", result.value.state)
      assert.strictEqual(result.value.error, dict)
    }).pipe(Effect.scoped, Effect.provide(TaskStore.layerMemory)))

  it.live("a task failing with a null-prototype object, to be retried, is retried (not turned into a TaskDefect)", () =>
    Effect.gen(function*() {
      const dict = Object.create(null) as Record<string, unknown>
      let calls = 0
      const fails = TaskManager.define("fails", {
        args: Schema.Number,
        run: () => Effect.suspend(() => ++calls === 1 ? Effect.fail(dict) : Effect.succeed(calls)),
        retry: Schedule.recurs(1)
      })
      const manager = yield* TaskManager.make({ tasks: [fails], concurrency: 1 })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 2_000))
      yield* manager.add(fails, 1)
      const result = yield* Fiber.join(outcome)
      assert(Option.isSome(result), "no outcome")
      // promise: a typed failure is fed to the retry Schedule, which allows one retry
      assert.strictEqual(result.value.state, "succeeded", JSON.stringify(result.value))
      assert.strictEqual(calls, 2)
    }).pipe(Effect.scoped, Effect.provide(TaskStore.layerMemory)))
})
