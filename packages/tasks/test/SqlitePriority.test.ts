/**
 * Priorities on the SQLite store: kept on disk and taken in order after a restart, and a file
 * made by the version before priorities (its schema copied below, as that version created it)
 * upgraded when it is opened — its tasks run, with priority 0, among new ones that are ranked.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Schema } from "effect"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import { connect } from "./fixtures/sqlite.js"
import { tempFile } from "./fixtures/tempFile.js"

/** The table and index as the version before priorities made them (`internal/sqliteStore.ts`). */
const schemaBeforePriorities = [
  `CREATE TABLE IF NOT EXISTS fiberkit_tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    recoveries INTEGER NOT NULL DEFAULT 0,
    added_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS fiberkit_tasks_unfinished ON fiberkit_tasks (state, seq)`
]

/** The query the store runs at a start, for the order it takes tasks in. */
const unfinishedQuery = `SELECT * FROM fiberkit_tasks WHERE state = 'queued' ORDER BY priority DESC, seq`

/**
 * A manager of one worker on the file: the first task it starts holds the worker until `adds`
 * are added (each a label, its id, and a priority). The labels in the order they started.
 */
const runOnFile = (filename: string, adds: ReadonlyArray<readonly [label: string, priority: number]>) =>
  Effect.scoped(Effect.gen(function*() {
    const started: Array<string> = []
    const gate = yield* Deferred.make<void>()
    const job = TaskManager.define("job", {
      args: Schema.String,
      run: (label) =>
        Effect.flatMap(Effect.sync(() => started.push(label)), (n) => n === 1 ? Deferred.await(gate) : Effect.void)
    })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
    yield* Effect.repeat(Effect.sync(() => started.length), { until: (n) => n === 1 })
    for (const [label, priority] of adds) yield* manager.add(job, label, { id: label, priority })
    yield* Deferred.succeed(gate, undefined)
    yield* manager.join
    return started
  })).pipe(Effect.provide(Layer.fresh(SqliteStore.layer({ filename }))))

describe("SqliteStore priorities", () => {
  it.live("a file made before priorities: its tasks run with priority 0, in their order, among new ranked ones", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      yield* Effect.scoped(Effect.gen(function*() {
        const sql = yield* connect(file)
        for (const statement of schemaBeforePriorities) yield* sql.exec(statement)
        // as that version wrote them: two queued, one left running by a crash, one finished
        yield* sql.exec(`INSERT INTO fiberkit_tasks (id, name, args, state, attempts, added_at) VALUES
          ('old-1', 'job', '"old-1"', 'queued', 0, 1),
          ('old-2', 'job', '"old-2"', 'running', 1, 2),
          ('old-done', 'job', '"old-done"', 'succeeded', 1, 3),
          ('old-3', 'job', '"old-3"', 'queued', 0, 4)`)
      }))
      const started = yield* runOnFile(file, [["high", 5], ["zero", 0], ["low", -5], ["higher", 6]])
      // old-1 took the worker first; then the new ones of higher priority, the old ones in their
      // order (old-2 queued again after the crash), the new ones of 0, then below
      assert.deepStrictEqual(started, ["old-1", "higher", "high", "old-2", "old-3", "zero", "low"])

      const sql = yield* connect(file)
      const rows = yield* sql.all<{ id: string; priority: number; state: string }>(
        `SELECT id, priority, state FROM fiberkit_tasks ORDER BY seq`
      )
      assert.deepStrictEqual(rows.map((row) => [row.id, row.priority, row.state]), [
        ["old-1", 0, "succeeded"],
        ["old-2", 0, "succeeded"],
        ["old-done", 0, "succeeded"],
        ["old-3", 0, "succeeded"],
        ["high", 5, "succeeded"],
        ["zero", 0, "succeeded"],
        ["low", -5, "succeeded"],
        ["higher", 6, "succeeded"]
      ])
      const indexes = yield* sql.all<{ name: string }>(`PRAGMA index_list(fiberkit_tasks)`)
      assert.includeMembers(indexes.map((index) => index.name), ["fiberkit_tasks_queued"])
      assert.notInclude(indexes.map((index) => index.name), "fiberkit_tasks_unfinished")
      // the index serves the start's query: no sort of its own
      const plan = yield* sql.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${unfinishedQuery}`)
      const details = plan.map((step) => step.detail).join("; ")
      assert.match(details, /USING INDEX fiberkit_tasks_queued/)
      assert.notMatch(details, /TEMP B-TREE/)
    })))

  it.live("priorities are on disk: after a stop, a new manager on the file takes the tasks in their order", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      // stopped while "first" runs: it goes back to the queue (priority 0, added first)
      const stopped = Effect.scoped(Effect.gen(function*() {
        const started: Array<string> = []
        const job = TaskManager.define("job", {
          args: Schema.String,
          run: (label) => Effect.andThen(Effect.sync(() => started.push(label)), Effect.never)
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
        yield* manager.add(job, "first", { id: "first" })
        yield* Effect.repeat(Effect.sync(() => started.length), { until: (n) => n === 1 })
        for (const [label, priority] of [["a", 0], ["b", 3], ["c", -1], ["d", 3]] as const) {
          yield* manager.add(job, label, { id: label, priority })
        }
        yield* manager.shutdown({ drain: false })
      })).pipe(Effect.provide(Layer.fresh(SqliteStore.layer({ filename: file }))))
      yield* stopped
      assert.deepStrictEqual(yield* runOnFile(file, []), ["b", "d", "first", "a", "c"])
    })))
})
