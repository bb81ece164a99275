/**
 * README, Retries: "`retry` is an Effect `Schedule` fed with each failure (a typed failure or a
 * `TaskTimeout`; a defect and an interruption are not retried)."
 *
 * A task whose typed failure comes out of concurrent code (`Effect.all` with concurrency, `race`,
 * `zip` concurrent) ends with a `Parallel` cause (the failure plus its siblings' interruption).
 * It is a typed failure, not a defect nor an interruption, so it must be retried.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, Schema } from "effect"
import * as TaskManager from "../../src/TaskManager.js"

class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}

describe("review: retries", () => {
  it.live("a typed failure raised in concurrent code is retried like any typed failure", () =>
    Effect.scoped(Effect.gen(function*() {
      let runs = 0
      const job = TaskManager.define("job", {
        args: Schema.Void,
        run: () =>
          Effect.suspend(() =>
            ++runs === 1
              // the first attempt fails Boom while a sibling fiber runs
              ? Effect.as(Effect.all([Effect.fail(new Boom()), Effect.never], { concurrency: 2 }), "never")
              : Effect.succeed("ok")
          )
      })
      const manager = yield* TaskManager.make({ tasks: [job], workers: 1, retry: Schedule.recurs(1) })
      const id = yield* manager.add(job, undefined)
      yield* manager.join
      const status = yield* manager.status(id)
      assert.deepStrictEqual(
        [runs, status.state, status.attempts, status.failures],
        [2, "succeeded", 2, 1],
        "runs, state, attempts, failures"
      )
    })))
})
