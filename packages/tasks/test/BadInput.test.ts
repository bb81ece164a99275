/**
 * Found by an outside review of issue 20: each test failed before its fix (what the review saw
 * is described below); the README promise it checks is quoted first.
 *
 * README, Errors: "`InvalidOptions` | `TaskManager.make` with ... a `timeout` that is not a
 * duration ≥ 0"; Adding: "An id given to `add` follows one rule on every store: 1 to 256
 * characters, no control character"; `InvalidTaskId`: "an id that is empty, longer than 256
 * characters or holds a control character".
 */
import { assert, describe, it } from "@effect/vitest"
import { type Duration, Effect, Result, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

const job = TaskManager.define("job", { args: Schema.Void, run: () => Effect.void })

describe("bad input", () => {
  // -1n (nanoseconds) and [-1, 0] (hrtime) are DurationInputs below zero: they decode to zero,
  // and every attempt then times out at once
  for (const timeout of [-1n, [-1, 0]] as ReadonlyArray<Duration.Input>) {
    it.live(`a negative timeout (${typeof timeout === "bigint" ? `${timeout}n` : JSON.stringify(timeout)}) fails InvalidOptions`, () =>
      Effect.gen(function*() {
        const made = yield* Effect.result(Effect.scoped(TaskManager.make({ tasks: [job], concurrency: 1, timeout })))
        assert.isTrue(Result.isFailure(made), "make succeeded with a negative timeout")
        if (Result.isFailure(made)) assert.strictEqual(made.failure._tag, "InvalidOptions")
      }).pipe(Effect.provide(TaskStore.layerMemory)))
  }

  // U+0080–U+009F are control characters (Unicode category Cc), as U+0000–U+001F and U+007F
  it.live("an id holding a C1 control character (U+0085) fails InvalidTaskId and adds nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
      const added = yield* Effect.result(manager.add(job, undefined, { id: "a\u0085b" }))
      assert.isTrue(Result.isFailure(added), "the id was accepted")
      if (Result.isFailure(added)) assert.strictEqual(added.failure._tag, "InvalidTaskId")
    })).pipe(Effect.provide(TaskStore.layerMemory)))

  // 200 characters, each outside the BMP (two UTF-16 code units): within "1 to 256 characters"
  it.live("an id of 200 characters is valid, whatever the characters", () =>
    Effect.scoped(Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
      const id = "😀".repeat(200)
      assert.strictEqual([...id].length, 200)
      const added = yield* Effect.result(manager.add(job, undefined, { id }))
      assert.deepStrictEqual(added, Result.succeed(id))
    })).pipe(Effect.provide(TaskStore.layerMemory)))
})
