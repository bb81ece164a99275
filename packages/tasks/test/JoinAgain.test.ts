import { assert, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

// Regression test (it failed before the fix): a join woken by the last task's end resumed inline,
// inside the loop that wakes the joins; a second join made right there was woken by the same loop
// and returned while the task added between the two was still queued.
it.live("a join made right after a join returned waits for the tasks added in between", () =>
  Effect.scoped(Effect.gen(function*() {
    const ran: Array<number> = []
    const job = TaskManager.define("job", { args: Schema.Number, run: (n) => Effect.sync(() => ran.push(n)) })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store: yield* TaskStore.memory })
    for (let round = 0; round < 20; round++) {
      yield* manager.add(job, round)
      yield* manager.join
      assert.deepStrictEqual(ran.length, round + 1, `join ${round} returned before its task ran`)
      assert.strictEqual((yield* manager.list({ state: "queued" })).length, 0)
    }
  })))
