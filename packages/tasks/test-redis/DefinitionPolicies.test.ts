/**
 * Regression tests from the issue 23 review, on the BullMQ store (a definition's own retry and
 * timeout moved to the contract, test/contractPolicies.ts, run on every store): a task never retried blindly when its failure cannot be decided or encoded, TaskDefect
 * read the same in every process, a typed error its Schema cannot encode.
 */
import { assert, describe, it } from "@effect/vitest"
import { Data, Effect, Fiber, Option, Schedule, Schema, Stream } from "effect"
import type { TaskTimeout } from "../src/Errors.js"
import { InvalidTaskArgs, TaskDefect } from "../src/Errors.js"
import * as TaskManager from "../src/TaskManager.js"
import { freshStore } from "./redis.js"

class Busy extends Data.TaggedError("Busy")<{ readonly retryable: boolean }> {}

const firstWithin = <A, E>(stream: Stream.Stream<A, E>, ms: number) =>
  Effect.timeoutOption(Stream.runHead(stream), ms).pipe(Effect.map(Option.flatten))

describe("regression (issue 23 review): a task run fails with a manager error class on BullMQ", () => {
  it.live("InvalidTaskArgs from run (a nested add) is retried by the Schedule, as locally", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let calls = 0
      const relay = TaskManager.define("relay", {
        args: Schema.Number,
        run: () =>
          Effect.suspend(() =>
            ++calls < 3
              ? Effect.fail(new InvalidTaskArgs({ task: "downstream", reason: "busy" }))
              : Effect.succeed(calls)
          )
      })
      const manager = yield* TaskManager.make({ tasks: [relay], concurrency: 1, store, retry: Schedule.recurs(2) })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 5_000))
      yield* manager.add(relay, 1)
      const result = yield* Fiber.join(outcome)
      assert(Option.isSome(result))
      assert.strictEqual(result.value.state, "succeeded", `ended ${result.value.state} after ${calls} call(s)`)
    })))
})

describe("regression (issue 23 review): outcomes that cannot be encoded end the task (BullMQ)", () => {
  it.live("a manager retry Schedule that dies ends the task (failed), it is not retried for ever", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let calls = 0
      const fails = TaskManager.define("fails", {
        args: Schema.Number,
        run: () => Effect.suspend(() => (calls++, Effect.fail(new Busy({ retryable: true }))))
      })
      const retry = Schedule.recurs(3).pipe(
        Schedule.setInputType<Busy | TaskTimeout>(),
        Schedule.while(() => {
          throw new Error("schedule blew up")
        })
      )
      const manager = yield* TaskManager.make({ tasks: [fails], concurrency: 1, store, retry })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 3_000))
      const id = yield* manager.add(fails, 1)
      const result = yield* Fiber.join(outcome)
      const status = yield* manager.status(id)
      yield* manager.cancel(id)
      assert(
        Option.isSome(result),
        `no outcome in 3 s: ${calls} attempts, status ${status.state}, attempts ${status.attempts}, error ${status.error}`
      )
      assert.strictEqual(result.value.state, "failed")
    })))

  it.live("a typed error holding a bigint (no failure Schema) ends the task, failed", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let calls = 0
      class Overdrawn extends Data.TaggedError("Overdrawn")<{ readonly cents: bigint }> {}
      const pay = TaskManager.define("pay", {
        args: Schema.Number,
        run: () => Effect.suspend(() => (calls++, Effect.fail(new Overdrawn({ cents: 10n }))))
      })
      const manager = yield* TaskManager.make({ tasks: [pay], concurrency: 1, store })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 3_000))
      const id = yield* manager.add(pay, 1)
      const result = yield* Fiber.join(outcome)
      const status = yield* manager.status(id)
      yield* manager.cancel(id)
      assert(
        Option.isSome(result),
        `no outcome in 3 s: ${calls} attempts (no retry configured), status ${status.state}, error ${status.error}`
      )
      assert.strictEqual(result.value.state, "failed")
    })))

  it.live("a typed error with a cyclic reference (no failure Schema) ends the task, failed", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let calls = 0
      const node: { parent?: unknown } = {}
      node.parent = node
      class Broken extends Data.TaggedError("Broken")<{ readonly node: unknown }> {}
      const walk = TaskManager.define("walk", {
        args: Schema.Number,
        run: () => Effect.suspend(() => (calls++, Effect.fail(new Broken({ node }))))
      })
      const manager = yield* TaskManager.make({ tasks: [walk], concurrency: 1, store })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 3_000))
      const id = yield* manager.add(walk, 1)
      const result = yield* Fiber.join(outcome)
      const status = yield* manager.status(id)
      yield* manager.cancel(id)
      assert(Option.isSome(result), `no outcome in 3 s: ${calls} attempts (no retry), status ${status.state}`)
      assert.strictEqual(result.value.state, "failed")
    })))

  it.live("a task dying with a null-prototype object ends, failed with TaskDefect", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let calls = 0
      const dies = TaskManager.define("dies", {
        args: Schema.Number,
        run: () => Effect.suspend(() => (calls++, Effect.die(Object.create(null))))
      })
      const manager = yield* TaskManager.make({ tasks: [dies], concurrency: 1, store })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 3_000))
      const id = yield* manager.add(dies, 1)
      const result = yield* Fiber.join(outcome)
      const status = yield* manager.status(id)
      yield* manager.cancel(id)
      assert(
        Option.isSome(result),
        `no outcome in 3 s: ${calls} attempts (a defect is never retried), status ${status.state}`
      )
      assert.instanceOf(result.value.state === "failed" ? result.value.error : undefined, TaskDefect)
    })))

  it.live("a value holding a bigint without a success Schema ends the task (not retried for ever)", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let calls = 0
      const big = TaskManager.define("big", {
        args: Schema.Number,
        run: () => Effect.sync(() => (calls++, { total: 10n }))
      })
      const manager = yield* TaskManager.make({ tasks: [big], concurrency: 1, store })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 3_000))
      const id = yield* manager.add(big, 1)
      const result = yield* Fiber.join(outcome)
      const status = yield* manager.status(id)
      yield* manager.cancel(id)
      assert(Option.isSome(result), `no outcome in 3 s: ${calls} runs, status ${status.state}, error ${status.error}`)
      assert.isAtMost(calls, 1, `ran ${calls} times`)
    })))
})

describe("regression (issue 23 review): TaskDefect across Redis", () => {
  it.live("defects that are not Errors: the outcome is failed TaskDefect, its message as locally", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      const cyclic: { self?: unknown; label: string } = { label: "loop" }
      cyclic.self = cyclic
      const defects: Record<string, unknown> = {
        string: "plain string",
        cyclic,
        bigint: 10n,
        named: Object.assign(new Error("bad"), { name: "MyError" }),
        messageLike: { message: "looks like an error" }
      }
      const dies = TaskManager.define("dies", { args: Schema.String, run: (key) => Effect.die(defects[key]) })
      const manager = yield* TaskManager.make({ tasks: [dies], concurrency: 2, store })
      const results = yield* manager.subscribe
      const keys = Object.keys(defects)
      const collected = yield* Effect.forkChild(
        Effect.timeoutOption(Stream.runCollect(Stream.take(results, keys.length)), 5_000)
      )
      const ids = yield* Effect.forEach(keys, (key) => manager.add(dies, key, { id: `d-${key}` }))
      const all = yield* Fiber.join(collected)
      assert(Option.isSome(all), "not every outcome came")
      const problems: Array<string> = []
      for (const [i, key] of keys.entries()) {
        const r = all.value.find((x) => x.id === ids[i])!
        if (r.state !== "failed" || !(r.error instanceof TaskDefect)) {
          problems.push(`${key}: ${r.state} ${String(r.state === "failed" ? r.error : "")}`)
          continue
        }
        // what the same defect reads as in the process that ran it
        const local = new TaskDefect({ id: r.id, defect: defects[key] }).message
        if (r.error.message !== local) {
          problems.push(`${key}: message ${JSON.stringify(r.error.message)} ≠ local ${JSON.stringify(local)}`)
        }
        const status = yield* manager.status(r.id)
        if (status.state !== "failed") problems.push(`${key}: status ${status.state}`)
      }
      assert.deepStrictEqual(problems, [])
    })))
})

describe("regression (issue 23 review): typed errors across Redis", () => {
  it.live("a typed error its failure Schema cannot encode comes back as plain data, not lost, and the task ends", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      class Bounced
        extends Schema.TaggedError<Bounced>()("Bounced", { to: Schema.String.check(Schema.isMinLength(1)) })
      {}
      const send = TaskManager.define("send", {
        args: Schema.String,
        failure: Bounced,
        // Bounced's constructor checks too: made unchecked, as a Data error would be
        run: (to) => Effect.fail(new Bounced({ to }, { disableChecks: true }))
      })
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 1, store })
      const results = yield* manager.subscribe
      const outcome = yield* Effect.forkChild(firstWithin(results, 5_000))
      yield* manager.add(send, "")
      const result = yield* Fiber.join(outcome)
      assert(Option.isSome(result) && result.value.state === "failed")
      // documented on `failure`: an error its Schema cannot encode goes as plain data (and a warning is logged)
      assert.notInstanceOf(result.value.error, Bounced)
      assert.deepInclude(result.value.error as object, { _tag: "Bounced", to: "" })
    })))
})
