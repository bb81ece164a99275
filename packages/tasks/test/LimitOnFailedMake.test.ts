/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review of `fiberkit_limit` as a TaskManager publishes it. Fails against the current code.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { Effect, Exit, Metric, Schema } from "effect"
import { TaskStoreError } from "../src/Errors.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

describe("review: TaskManager fiberkit_limit", () => {
  // Promise (Telemetry module docs): `fiberkit_limit` is "the instance's limit now: as made, or as
  // last resized"; for a TaskManager "`concurrency`: its workers". A make that fails (its store
  // cannot recover the unfinished tasks) sets its concurrency as the limit of its group before it
  // fails: the live manager of that name, running 2 workers, now reads 8.
  it.effect("a make that fails (the store's recover fails) leaves the limit of the live manager of its name", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.void })
      yield* TaskManager.make({ tasks: [job], concurrency: 2, store, name: "mailer" })
      const limit = Effect.map(Telemetry.values("TaskManager", "mailer"), (v) => v.limit)
      assert.strictEqual(yield* limit, 2)
      const failing: TaskStore.TaskStore = {
        ...store,
        recover: Effect.fail(new TaskStoreError({ operation: "recover the unfinished tasks", cause: "disk gone" }))
      }
      const second = yield* Effect.exit(
        Effect.scoped(TaskManager.make({ tasks: [job], concurrency: 8, store: failing, name: "mailer" }))
      )
      assert.isTrue(Exit.isFailure(second))
      // expected 2 (the only manager of the group runs 2 workers); observed 8
      assert.strictEqual(yield* limit, 2)
    })).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer())))
})
