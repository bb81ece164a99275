import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import { InvalidOptions, TaskStoreError } from "../Errors.js"
import * as TaskStore from "../TaskStore.js"
import { decodeArgs, encodeArgs } from "./argsText.js"
import { LocalStore, type Persistence } from "./localStore.js"

interface Row {
  readonly id: string
  readonly name: string
  readonly args: string
  readonly state: TaskStore.TaskState
  readonly attempts: number
  readonly failures: number
  readonly added_at: number
  readonly started_at: number | null
  readonly finished_at: number | null
  readonly error: string | null
}

const toRecord = (row: Row): TaskStore.TaskRecord => ({
  id: row.id,
  name: row.name,
  args: decodeArgs(row.args),
  state: row.state,
  attempts: row.attempts,
  failures: row.failures,
  addedAt: row.added_at,
  startedAt: row.started_at ?? undefined,
  finishedAt: row.finished_at ?? undefined,
  error: row.error ?? undefined
})

const failed = (operation: string) => (cause: unknown) => new TaskStoreError({ operation, cause })

/**
 * Group commit: the writes asked for in one synchronous run of fibers are committed together,
 * in one transaction, right after it; each writer resumes once the transaction is committed.
 * With `synchronous = "full"` a commit costs a sync to disk; one per batch instead of one per
 * write is what keeps the store fast under many workers.
 *
 * A statement that fails (a constraint, a trigger) fails only its own writer. The batch runs
 * first as one plain transaction; if that fails, it runs again with a savepoint for each write,
 * so the statement that failed is rolled back alone and the rest of the batch is committed (the
 * first run was rolled back whole: nothing of it remains). An error that ends the whole
 * transaction (SQLite rolls it back by itself: disk full, I/O) fails the writes that are left,
 * which then never run.
 */
class GroupCommit {
  private pending: Array<Write> = []
  private scheduled = false

  constructor(private readonly sql: SqlClient.SqlClient, private readonly runtime: Runtime.Runtime<never>) {}

  /** The statement's result, once its transaction is committed. */
  write<A>(operation: string, statement: Effect.Effect<A, unknown>): Effect.Effect<A, TaskStoreError> {
    return Effect.callback<A, TaskStoreError>((resume) => {
      this.pending.push({
        statement,
        operation,
        resume: resume as (effect: Effect.Effect<unknown, TaskStoreError>) => void,
        exit: undefined
      })
      if (!this.scheduled) {
        this.scheduled = true
        queueMicrotask(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    Runtime.runCallback(this.runtime)(this.commit)
  }

  /** Commits what is pending now; the store's finalizer runs it before the database closes. */
  readonly commit: Effect.Effect<void> = Effect.suspend(() => {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return Effect.void
    return Effect.flatMap(
      Effect.exit(this.run(batch, false)),
      (committed) =>
        Exit.isSuccess(committed) || batch.length === 1
          ? Effect.sync(() => this.resume(batch, committed))
          : Effect.map(Effect.exit(this.run(batch, true)), (again) => this.resume(batch, again))
    )
  })

  /**
   * The batch in one transaction. `isolated`: each write in a savepoint of its own, rolled back
   * alone if its statement fails; otherwise the first statement that fails fails the transaction.
   */
  private run(batch: ReadonlyArray<Write>, isolated: boolean): Effect.Effect<void, unknown> {
    return this.sql.withTransaction(Effect.forEach(batch, (write) =>
      Effect.flatMap(
        Effect.exit(isolated ? this.sql.withTransaction(write.statement) : write.statement),
        (exit) => {
          write.exit = exit
          if (Exit.isSuccess(exit)) return Effect.void
          // isolated, only a savepoint that could not be rolled back (the transaction is gone) stops it
          return !isolated || Cause.isDie(exit.cause) ? Effect.failCause(exit.cause) : Effect.void
        }
      ), { discard: true }))
  }

  private resume(batch: ReadonlyArray<Write>, committed: Exit.Exit<void, unknown>): void {
    for (const write of batch) {
      // committed if its statement succeeded and so did the transaction
      const exit: Exit.Exit<unknown, unknown> = Exit.isSuccess(committed) && write.exit !== undefined
        ? write.exit
        : committed
      write.resume(
        Exit.isSuccess(exit)
          ? Effect.succeed(exit.value)
          : Effect.fail(new TaskStoreError({ operation: write.operation, cause: Cause.squash(exit.cause) }))
      )
    }
  }
}

interface Write {
  readonly statement: Effect.Effect<unknown, unknown>
  readonly operation: string
  readonly resume: (effect: Effect.Effect<unknown, TaskStoreError>) => void
  /** How its statement ended, in its savepoint. */
  exit: Exit.Exit<unknown, unknown> | undefined
}

const persistence = (sql: SqlClient.SqlClient, commit: GroupCommit, maxRecoveries: number): Persistence => ({
  insert: (records) =>
    Effect.flatMap(
      // encoded before the batch: arguments that cannot be stored fail their own add only
      Effect.try({
        try: () =>
          records.map((record) => ({
            id: record.id,
            name: record.name,
            args: encodeArgs(record.args),
            state: record.state,
            attempts: record.attempts,
            failures: record.failures,
            added_at: record.addedAt
          })),
        catch: failed("store the arguments of a task")
      }),
      (rows) => {
        // SQLite takes at most 32,766 variables per statement: 500 rows of 7 columns per INSERT,
        // all in the same transaction; an id already in the table is skipped, and not returned
        // (only that conflict: any other constraint fails the add)
        const chunks: Array<typeof rows> = []
        for (let at = 0; at < rows.length; at += 500) chunks.push(rows.slice(at, at + 500))
        return commit.write(
          "add tasks",
          Effect.map(
            Effect.forEach(
              chunks,
              (chunk) =>
                sql<{ readonly id: string }>`INSERT INTO fiberkit_tasks ${
                  sql.insert(chunk)
                } ON CONFLICT (id) DO NOTHING RETURNING id`
            ),
            (inserted) => new Set(inserted.flat().map((row) => row.id))
          )
        )
      }
    ),
  update: (record) =>
    commit.write(
      "update a task",
      sql`UPDATE fiberkit_tasks SET state = ${record.state}, attempts = ${record.attempts},
        failures = ${record.failures}, started_at = ${record.startedAt ?? null},
        finished_at = ${record.finishedAt ?? null}, error = ${record.error ?? null} WHERE id = ${record.id}`
    ),
  // in one transaction: a task found running for the (maxRecoveries + 1)th time fails, the others
  // are queued again, and the unfinished ones are read
  recover: Effect.flatMap(Clock.currentTimeMillis, (now) =>
    commit.write(
      "recover the unfinished tasks",
      sql`UPDATE fiberkit_tasks SET state = 'failed', finished_at = ${now},
        error = 'left running by a process that ended, ' || (recoveries + 1) || ' times: not run again (maxRecoveries: '
          || CAST(${maxRecoveries} AS INTEGER) || ')'
        WHERE state = 'running' AND recoveries >= ${maxRecoveries}`.pipe(
        Effect.andThen(
          sql`UPDATE fiberkit_tasks SET state = 'queued', recoveries = recoveries + 1 WHERE state = 'running'`
        ),
        Effect.andThen(sql<Row>`SELECT * FROM fiberkit_tasks WHERE state IN ('queued', 'running') ORDER BY seq`)
      )
    )).pipe(
      // arguments that cannot be read (a row written by hand) fail the read, not as a defect
      Effect.flatMap((rows) =>
        Effect.try({ try: () => rows.map(toRecord), catch: failed("read the unfinished tasks") })
      )
    ),
  get: (id) =>
    sql<Row>`SELECT * FROM fiberkit_tasks WHERE id = ${id}`.pipe(
      Effect.flatMap((rows) => Effect.try(() => Option.map(Option.fromNullishOr(rows[0]), toRecord))),
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
    failures INTEGER NOT NULL DEFAULT 0,
    recoveries INTEGER NOT NULL DEFAULT 0,
    added_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT
  )`.pipe(
    Effect.andThen(sql`CREATE INDEX IF NOT EXISTS fiberkit_tasks_unfinished ON fiberkit_tasks (state, seq)`),
    // a file made by an earlier version: the columns it lacks
    Effect.andThen(sql<{ readonly name: string }>`PRAGMA table_info(fiberkit_tasks)`),
    Effect.flatMap((columns) => {
      const has = new Set(columns.map((column) => column.name))
      return Effect.forEach(
        ["failures", "recoveries"].filter((column) => !has.has(column)),
        (column) => sql.unsafe(`ALTER TABLE fiberkit_tasks ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`),
        { discard: true }
      )
    }),
    Effect.mapError(failed("create its table"))
  )

/** @internal */
export const defaultMaxRecoveries = 1

/** @internal */
export const layer = (options: {
  readonly filename: string
  readonly synchronous?: "full" | "normal" | undefined
  readonly maxRecoveries?: number | undefined
}): Layer.Layer<TaskStore.TaskStore, TaskStoreError | InvalidOptions> => {
  const maxRecoveries = options.maxRecoveries ?? defaultMaxRecoveries
  if (!Number.isSafeInteger(maxRecoveries) || maxRecoveries < 0) {
    return Layer.fail(
      new InvalidOptions({
        operation: "SqliteStore.layer",
        field: "maxRecoveries",
        expected: "an integer ≥ 0",
        value: maxRecoveries
      })
    )
  }
  return Layer.effect(
    TaskStore.TaskStore,
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      const synchronous = options.synchronous === "normal" ? "NORMAL" : "FULL"
      yield* sql.unsafe(`PRAGMA synchronous = ${synchronous}`).pipe(Effect.mapError(failed("set synchronous")))
      yield* schema(sql)
      const commit = new GroupCommit(sql, yield* Effect.runtime<never>())
      // writes still pending when the store closes are committed before the database closes
      yield* Effect.addFinalizer(() => commit.commit)
      return new LocalStore(persistence(sql, commit, maxRecoveries))
    })
  ).pipe(
    Layer.provide(SqliteClient.layer({ filename: options.filename })),
    Layer.mapError((cause) =>
      cause instanceof TaskStoreError ? cause : new TaskStoreError({ operation: "open", cause })
    )
  )
}
