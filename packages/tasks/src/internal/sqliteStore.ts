import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { TaskStoreError } from "../Errors.js"
import * as TaskStore from "../TaskStore.js"
import { LocalStore, type Persistence } from "./localStore.js"

interface Row {
  readonly id: string
  readonly name: string
  readonly args: string
  readonly state: TaskStore.TaskState
  readonly attempts: number
  readonly added_at: number
  readonly started_at: number | null
  readonly finished_at: number | null
  readonly error: string | null
}

const toRecord = (row: Row): TaskStore.TaskRecord => ({
  id: row.id,
  name: row.name,
  args: JSON.parse(row.args),
  state: row.state,
  attempts: row.attempts,
  addedAt: row.added_at,
  startedAt: row.started_at ?? undefined,
  finishedAt: row.finished_at ?? undefined,
  error: row.error ?? undefined
})

const failed = (operation: string) => (cause: unknown) => new TaskStoreError({ operation, cause })

const persistence = (sql: SqlClient.SqlClient): Persistence => ({
  insert: (records) =>
    sql`INSERT INTO fiberkit_tasks ${
      sql.insert(records.map((record) => ({
        id: record.id,
        name: record.name,
        args: JSON.stringify(record.args),
        state: record.state,
        attempts: record.attempts,
        added_at: record.addedAt
      })))
    }`.pipe(Effect.asVoid, Effect.mapError(failed("add tasks"))),
  update: (record) =>
    sql`UPDATE fiberkit_tasks SET state = ${record.state}, attempts = ${record.attempts},
        started_at = ${record.startedAt ?? null}, finished_at = ${record.finishedAt ?? null},
        error = ${record.error ?? null} WHERE id = ${record.id}`.pipe(
      Effect.asVoid,
      Effect.mapError(failed("update a task"))
    ),
  unfinished: sql<Row>`SELECT * FROM fiberkit_tasks WHERE state IN ('queued', 'running') ORDER BY seq`.pipe(
    Effect.map((rows) => rows.map(toRecord)),
    Effect.mapError(failed("read the unfinished tasks"))
  ),
  get: (id) =>
    sql<Row>`SELECT * FROM fiberkit_tasks WHERE id = ${id}`.pipe(
      Effect.map((rows) => Option.map(Option.fromNullable(rows[0]), toRecord)),
      Effect.mapError(failed("read a task"))
    )
})

const schema = (sql: SqlClient.SqlClient) =>
  sql`CREATE TABLE IF NOT EXISTS fiberkit_tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    args TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    added_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT
  )`.pipe(
    Effect.zipRight(sql`CREATE INDEX IF NOT EXISTS fiberkit_tasks_unfinished ON fiberkit_tasks (state, seq)`),
    Effect.mapError(failed("create its table"))
  )

/** @internal */
export const layer = (options: { readonly filename: string }): Layer.Layer<TaskStore.TaskStore, TaskStoreError> =>
  Layer.effect(
    TaskStore.TaskStore,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* schema(sql)
      return new LocalStore(persistence(sql))
    })
  ).pipe(
    Layer.provide(SqliteClient.layer({ filename: options.filename })),
    Layer.mapError((cause) =>
      cause instanceof TaskStoreError ? cause : new TaskStoreError({ operation: "open", cause })
    )
  )
