/**
 * Found by an outside review of issue 20: each test failed before its fix (what the review saw
 * is described below); the README promise it checks is quoted first.
 *
 * README, SQLite: "A write that fails changes nothing: the store changes its memory only once the
 * write succeeded"; Stores: "`take` the oldest queued one".
 *
 * A cancel whose write fails (a trigger refuses it, as a constraint would) moves the task to
 * the front of the queue: it then runs before the tasks added before it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Result, Schema } from "effect"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import { connect } from "./fixtures/sqlite.js"
import { tempFile } from "./fixtures/tempFile.js"

describe("SQLite, a cancel that fails", () => {
  it.live("leaves the queue's order as it was", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      const order: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.String,
        run: (name) =>
          Effect.andThen(Effect.sync(() => order.push(name)), name === "first" ? Deferred.await(gate) : Effect.void)
      })
      const stored = yield* Layer.build(Layer.fresh(SqliteStore.layer({ filename: file })))
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 }).pipe(Effect.provide(stored))
      yield* manager.add(job, "first") // runs, and holds the only worker
      yield* Effect.sleep("50 millis")
      yield* manager.add(job, "a")
      const b = yield* manager.add(job, "b")
      // the cancel of "b" is refused by the database
      const sql = yield* connect(file)
      yield* sql.exec(
        `CREATE TRIGGER refuse BEFORE UPDATE ON fiberkit_tasks WHEN NEW.state = 'cancelled'
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`
      )
      const cancel = yield* Effect.result(manager.cancel(b))
      assert.isTrue(Result.isFailure(cancel), "the cancel failed")
      yield* Deferred.succeed(gate, undefined)
      yield* manager.join
      assert.deepStrictEqual(order, ["first", "a", "b"], "in the order they were added")
    })))
})
