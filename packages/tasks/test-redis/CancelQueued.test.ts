/**
 * Found by an outside review of issue 20: each test failed before its fix (what the review saw
 * is described below); the README promise it checks is quoted first.
 *
 * README, Cancelling / BullMQ "The same API": a queued task is marked "so that no worker runs
 * it"; TaskRecord.attempts: "Attempts started so far".
 *
 * A task cancelled while queued never runs, and `status` says attempts 0 — until a worker takes
 * the job and fails it with the mark: then `status` and its published outcome say attempts 1
 * (BullMQ's attemptsStarted), though no attempt of it started. (The memory and SQLite stores
 * report 0 for the same cancel.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { freshStore } from "./redis.js"

describe("BullMQ, a task cancelled while queued", () => {
  it.live("has started no attempt, in status and in its outcome", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let runs = 0
      const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.sync(() => void runs++) })
      const producer = yield* TaskManager.make({ tasks: [job], concurrency: 0, store })
      const results = yield* producer.subscribe
      const id = yield* producer.add(job, 1, { id: "queued" })
      assert.isTrue(yield* producer.cancel(id))
      // a worker comes, takes the job, and ends it with the cancel's mark
      yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      const outcome = (yield* Stream.runCollect(Stream.take(results, 1)))[0]!
      const status = yield* producer.status(id)
      assert.strictEqual(runs, 0, "it never ran")
      assert.deepStrictEqual([outcome.state, status.state], ["cancelled", "cancelled"])
      assert.deepStrictEqual([status.attempts, outcome.attempts], [0, 0], "attempts: status, outcome")
    })))
})
