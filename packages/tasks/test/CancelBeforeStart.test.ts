/**
 * Found by an outside review of issue 20: each test failed before its fix (what the review saw
 * is described below); the README promise it checks is quoted first.
 *
 * README, Cancelling: "a task a worker was just getting from the store is never started";
 * TaskRecord.attempts: "Attempts started so far".
 *
 * A task cancelled right after `add`, while an idle worker is being handed it, never runs; yet
 * `status` and its published outcome say it started one attempt (attempts 1, a startedAt),
 * unlike the same cancel when no worker is idle (attempts 0, no startedAt).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

describe("cancel before start", () => {
  it.live("a task cancelled just after add, before it ran, has started no attempt", () =>
    Effect.scoped(Effect.gen(function*() {
      let runs = 0
      const job = TaskManager.define("job", {
        args: Schema.Void,
        run: () => Effect.sync(() => void runs++)
      })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
      const results = yield* manager.subscribe
      const id = yield* manager.add(job, undefined)
      const cancelled = yield* manager.cancel(id)
      yield* manager.shutdown({ drain: true })
      const outcomes = yield* Stream.runCollect(results)
      const status = yield* manager.status(id)
      assert.isTrue(cancelled)
      assert.strictEqual(runs, 0, "it never ran")
      assert.strictEqual(status.state, "cancelled")
      assert.deepStrictEqual(
        [status.attempts, status.startedAt],
        [0, undefined],
        "status: no attempt started"
      )
      assert.deepStrictEqual(
        [outcomes[0]?.attempts, outcomes[0]?.startedAt],
        [0, undefined],
        "outcome: no attempt started"
      )
    })).pipe(Effect.provide(TaskStore.layerMemory)))
})
