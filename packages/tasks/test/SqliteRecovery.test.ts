/**
 * What the SQLite store does at a start with the tasks a process left behind: those left running
 * are queued again a bounded number of times (`maxRecoveries`), and a file made by an earlier
 * version gains the columns it lacks. A crash is played at the store's level: a task is taken
 * (running on disk) and the store is closed without finishing or releasing it.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schedule, Schema } from "effect"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"
import { connect } from "./fixtures/sqlite.js"
import { tempFile } from "./fixtures/tempFile.js"

/** Runs `body` on the store in `filename`, opened for it and closed after it. */
const onStore = <A, E>(
  filename: string,
  body: (store: TaskStore.TaskStore) => Effect.Effect<A, E>,
  maxRecoveries?: number
) =>
  Effect.provide(
    Effect.flatMap(TaskStore.TaskStore, body),
    SqliteStore.layer(maxRecoveries === undefined ? { filename } : { filename, maxRecoveries })
  )

/** A process that starts, takes its next task, and dies with it running. */
const crash = (filename: string, maxRecoveries?: number) =>
  onStore(filename, (store) => Effect.andThen(store.recover, store.take), maxRecoveries)

const record = (filename: string, id: string) =>
  onStore(filename, (store) => Effect.map(store.get(id), Option.getOrThrow))

describe("SqliteStore recovery", () => {
  // A task that crashes its process was queued again at every start: run for ever.
  it.live("a task left running is queued again maxRecoveries times (default 1), then fails", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      yield* onStore(file, (store) => store.add([{ id: "a", name: "job", args: 1, addedAt: 0 }]))
      assert.strictEqual((yield* crash(file)).attempts, 1)
      const second = yield* crash(file) // recovered once: it runs again
      assert.deepStrictEqual([second.id, second.attempts], ["a", 2])
      const unfinished = yield* onStore(file, (store) => store.recover)
      assert.deepStrictEqual(unfinished, [], "found running a second time: not queued again")
      const failed = yield* record(file, "a")
      assert.deepStrictEqual([failed.state, failed.attempts, failed.failures], ["failed", 2, 0])
      assert.include(failed.error, "left running by a process that ended, 2 times")
      assert.isDefined(failed.finishedAt)
    })))

  it.live("maxRecoveries 0 runs no task again after a crash; a task stopped cleanly is not a crash", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      yield* onStore(file, (store) =>
        store.add([
          { id: "a", name: "job", args: 1, addedAt: 0 },
          { id: "b", name: "job", args: 2, addedAt: 0 }
        ]))
      // "a" is stopped cleanly (released) twice, then crashes once
      for (let i = 0; i < 2; i++) {
        yield* onStore(
          file,
          (store) => Effect.flatMap(Effect.andThen(store.recover, store.take), (r) => store.release(r.id)),
          0
        )
      }
      yield* crash(file, 0)
      const unfinished = yield* onStore(file, (store) => store.recover, 0)
      assert.deepStrictEqual(unfinished.map((r) => r.id), ["b"])
      assert.strictEqual((yield* record(file, "a")).state, "failed")
    })))

  it.effect("maxRecoveries must be an integer ≥ 0: InvalidOptions names it", () =>
    Effect.gen(function*() {
      for (const maxRecoveries of [-1, 1.5, NaN]) {
        const error = yield* Effect.flip(
          Effect.provide(TaskStore.TaskStore, SqliteStore.layer({ filename: ":memory:", maxRecoveries }))
        )
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual("field" in error ? error.field : "", "maxRecoveries")
      }
    }))

  it.live("a file made before failures were counted opens, and its tasks run with the count from 0", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      // the table as the earlier version made it, with a queued task
      yield* Effect.scoped(Effect.gen(function*() {
        const sql = yield* connect(file)
        yield* sql.exec(`CREATE TABLE fiberkit_tasks (
          seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
          args TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, added_at INTEGER NOT NULL,
          started_at INTEGER, finished_at INTEGER, error TEXT)`)
        yield* sql.exec(`INSERT INTO fiberkit_tasks (id, name, args, state, attempts, added_at)
          VALUES ('old', 'job', '1', 'running', 1, 0)`)
      }))
      let runs = 0
      const job = TaskManager.define("job", {
        args: Schema.Number,
        failure: Schema.String,
        run: () => Effect.flatMap(Effect.sync(() => ++runs), (n) => n === 1 ? Effect.fail("boom") : Effect.void)
      })
      const status = yield* Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, retry: Schedule.recurs(1) })
        yield* manager.join
        return yield* manager.status("old")
      })).pipe(Effect.provide(Layer.fresh(SqliteStore.layer({ filename: file }))))
      assert.deepStrictEqual(
        [runs, status.state, status.attempts, status.failures],
        [2, "succeeded", 3, 1],
        "runs, state, attempts (the crashed one counts), failures"
      )
    })))
})
