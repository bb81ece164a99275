import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import { InvalidOptions, TaskStoreError } from "../Errors.js"
import * as TaskStore from "../TaskStore.js"
import { decodeArgs, encodeArgs } from "./argsText.js"
import type { Persistence } from "./localPersistence.js"
import { limitOf } from "./localRecords.js"
import { LocalStore } from "./localStore.js"
import { SqliteWindows } from "./sqliteDedupe.js"
import * as Driver from "./sqliteDriver.js"

interface Row {
  readonly id: string
  readonly name: string
  readonly args: string
  readonly state: TaskStore.TaskState
  readonly priority: number
  readonly attempts: number
  readonly failures: number
  readonly added_at: number
  readonly started_at: number | null
  readonly finished_at: number | null
  readonly error: string | null
  readonly run_at: number | null
  readonly progress: number | null
  readonly replays: number
  readonly trace: string | null
}

const toRecord = (row: Row): TaskStore.TaskRecord => ({
  id: row.id,
  name: row.name,
  args: decodeArgs(row.args),
  state: row.state,
  priority: row.priority,
  attempts: row.attempts,
  failures: row.failures,
  addedAt: row.added_at,
  startedAt: row.started_at ?? undefined,
  finishedAt: row.finished_at ?? undefined,
  error: row.error ?? undefined,
  runAt: row.run_at ?? undefined,
  progress: row.progress ?? undefined,
  replays: row.replays,
  trace: row.trace === null ? undefined : JSON.parse(row.trace) as TaskStore.TaskTrace
})

const failed = (operation: string) => (cause: unknown) => new TaskStoreError({ operation, cause })

/**
 * Group commit: the writes asked for until the event loop's next check phase are committed
 * together, in one transaction; each writer resumes once the transaction is committed. The
 * commit waits for `setImmediate`, not a microtask: Effect 4 runs a woken fiber inside the call
 * that wakes it and its scheduler runs fibers in `setImmediate` rounds, so a microtask fired
 * after the first writer of a round alone (with 8 concurrency: 20,002 commits for 20,002 writes,
 * against 2,502 now).
 * With `synchronous = "full"` a commit costs a sync to disk; one per batch instead of one per
 * write is what keeps the store fast under many workers. The driver is synchronous: a batch's
 * transaction runs whole, nothing else on the connection runs in between.
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

  constructor(private readonly db: Driver.Database) {}

  /** The statement's result, once its transaction is committed. */
  write<A>(operation: string, statement: () => A): Effect.Effect<A, TaskStoreError> {
    return Effect.callback<A, TaskStoreError>((resume) => {
      this.pending.push({
        statement,
        operation,
        resume: resume as (effect: Effect.Effect<unknown, TaskStoreError>) => void,
        outcome: undefined
      })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => {
          this.scheduled = false
          this.commit()
        })
      }
    })
  }

  /** Commits what is pending now; the store's finalizer runs it before the database closes. */
  commit(): void {
    const batch = this.pending
    this.pending = []
    if (batch.length === 0) return
    const committed = this.run(batch, false)
    this.resume(batch, Result.isSuccess(committed) || batch.length === 1 ? committed : this.run(batch, true))
  }

  /**
   * The batch in one transaction. `isolated`: each write in a savepoint of its own, rolled back
   * alone if its statement fails; otherwise the first statement that fails fails the transaction.
   */
  private run(batch: ReadonlyArray<Write>, isolated: boolean): Result.Result<void, unknown> {
    const db = this.db
    for (const write of batch) write.outcome = undefined
    try {
      db.exec("BEGIN IMMEDIATE")
      for (const write of batch) {
        if (isolated) db.exec("SAVEPOINT fiberkit_write")
        try {
          write.outcome = Result.succeed(write.statement())
        } catch (error) {
          write.outcome = Result.fail(error)
          // isolated, only a transaction that is gone, or a savepoint that could not be rolled
          // back, stops it
          if (!isolated || !db.inTransaction) throw error
          db.exec("ROLLBACK TO fiberkit_write")
        }
        if (isolated) db.exec("RELEASE fiberkit_write")
      }
      db.exec("COMMIT")
      return Result.succeed(undefined)
    } catch (error) {
      try {
        if (db.inTransaction) db.exec("ROLLBACK")
      } catch {
        // the error that ended the transaction is the one its writers see
      }
      return Result.fail(error)
    }
  }

  private resume(batch: ReadonlyArray<Write>, committed: Result.Result<void, unknown>): void {
    for (const write of batch) {
      // committed if its statement succeeded and so did the transaction
      const outcome: Result.Result<unknown, unknown> = Result.isSuccess(committed) && write.outcome !== undefined
        ? write.outcome
        : committed
      // (on Effect 4 the writer runs inline, here: the batch is over, and the next one is pending)
      write.resume(
        Result.isSuccess(outcome)
          ? Effect.succeed(outcome.success)
          : Effect.fail(new TaskStoreError({ operation: write.operation, cause: outcome.failure }))
      )
    }
  }
}

interface Write {
  readonly statement: () => unknown
  readonly operation: string
  readonly resume: (effect: Effect.Effect<unknown, TaskStoreError>) => void
  /** How its statement ended, in this run of the batch. */
  outcome: Result.Result<unknown, unknown> | undefined
}

/** The store's statements, prepared once the table is there. */
const statements = (db: Driver.Database) => ({
  // an id already in the table is skipped, and not returned (only that conflict: any other
  // constraint fails the add)
  insert: db.prepare(
    `INSERT INTO fiberkit_tasks (id, name, args, state, priority, attempts, failures, added_at, run_at, trace)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id`
  ),
  update: db.prepare(
    `UPDATE fiberkit_tasks SET state = ?, attempts = ?, failures = ?, started_at = ?, finished_at = ?, error = ?,
      progress = ?, replays = ? WHERE id = ?`
  ),
  failLeftRunning: db.prepare(
    `UPDATE fiberkit_tasks SET state = 'failed', finished_at = ?,
      error = 'left running by a process that ended, ' || (recoveries + 1) || ' times: not run again (maxRecoveries: '
        || CAST(? AS INTEGER) || ')'
      WHERE state = 'running' AND recoveries >= ?`
  ),
  requeueLeftRunning: db.prepare(
    `UPDATE fiberkit_tasks SET state = 'queued', recoveries = recoveries + 1 WHERE state = 'running'`
  ),
  // (run after the tasks left running were queued again or failed: every unfinished one is
  // queued) in the order they are taken, which `fiberkit_tasks_queued` serves
  unfinished: db.prepare(`SELECT * FROM fiberkit_tasks WHERE state = 'queued' ORDER BY priority DESC, seq`),
  get: db.prepare(`SELECT * FROM fiberkit_tasks WHERE id = ?`),
  lastTick: db.prepare(`SELECT last_tick FROM fiberkit_schedules WHERE id = ?`),
  advanceTick: db.prepare(
    `INSERT INTO fiberkit_schedules (id, last_tick) VALUES (?, ?)
      ON CONFLICT (id) DO UPDATE SET last_tick = max(last_tick, excluded.last_tick)`
  ),
  // (a NULL filter selects every state, every name)
  list: db.prepare(
    `SELECT * FROM fiberkit_tasks WHERE (? IS NULL OR state = ?) AND (? IS NULL OR name = ?) ORDER BY seq LIMIT ?`
  )
})

const persistence = (db: Driver.Database, commit: GroupCommit, maxRecoveries: number): Persistence => {
  const sql = statements(db)
  const windows = new SqliteWindows(db)
  return {
    insert: (records, window) =>
      Effect.flatMap(
        // encoded before the batch: arguments that cannot be stored fail their own add only
        Effect.try({
          try: () => records.map((record) => [record, encodeArgs(record.args)] as const),
          catch: failed("store the arguments of a task")
        }),
        (rows) =>
          // all in the same transaction
          commit.write("add tasks", () => {
            const inserted = new Set<string>()
            for (const [record, args] of rows) {
              const row = sql.insert.get(
                record.id,
                record.name,
                args,
                record.state,
                record.priority,
                record.attempts,
                record.failures,
                record.addedAt,
                record.runAt ?? null,
                record.trace === undefined ? null : JSON.stringify(record.trace)
              ) as { readonly id: string } | undefined
              if (row !== undefined) inserted.add(row.id)
            }
            if (window !== undefined && inserted.has(window.id)) windows.open(window, records[0]!.addedAt)
            return inserted
          })
      ),
    update: (record) =>
      commit.write("update a task", () => {
        sql.update.run(
          record.state,
          record.attempts,
          record.failures,
          record.startedAt ?? null,
          record.finishedAt ?? null,
          record.error ?? null,
          record.progress ?? null,
          record.replays,
          record.id
        )
      }),
    reschedule: (id, at, window) => commit.write("move a debounced task", () => windows.move(id, at, window)),
    window: (key) =>
      Effect.try({
        try: () => Option.fromUndefinedOr(windows.read(key)),
        catch: failed("read a deduplication window")
      }),
    // in one transaction: a task found running for the (maxRecoveries + 1)th time fails, the others
    // are queued again, and the unfinished ones are read
    recover: Effect.flatMap(Clock.currentTimeMillis, (now) =>
      commit.write("recover the unfinished tasks", () => {
        sql.failLeftRunning.run(now, maxRecoveries, maxRecoveries)
        sql.requeueLeftRunning.run()
        return sql.unfinished.all() as Array<Row>
      })).pipe(
        // arguments that cannot be read (a row written by hand) fail the read, not as a defect
        Effect.flatMap((rows) =>
          Effect.try({ try: () => rows.map(toRecord), catch: failed("read the unfinished tasks") })
        )
      ),
    lastTick: (schedule) =>
      Effect.try({
        try: () => (sql.lastTick.get(schedule) as { readonly last_tick: number } | undefined)?.last_tick,
        catch: failed("read a schedule's last tick")
      }),
    advanceTick: (schedule, at) =>
      commit.write("record a schedule's tick", () => void sql.advanceTick.run(schedule, at)),
    list: (filter) =>
      Effect.try({
        try: () => {
          const state = filter?.state ?? null
          const name = filter?.name ?? null
          return (sql.list.all(state, state, name, name, limitOf(filter)) as Array<Row>).map(toRecord)
        },
        catch: failed("list tasks")
      }),
    get: (id) =>
      Effect.try({
        try: () => Option.map(Option.fromNullishOr(sql.get.get(id) as Row | undefined), toRecord),
        catch: failed("read a task")
      })
  }
}

const schema = (db: Driver.Database) =>
  Effect.try({
    try: () => {
      db.exec(`CREATE TABLE IF NOT EXISTS fiberkit_tasks (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        args TEXT NOT NULL,
        state TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL,
        failures INTEGER NOT NULL DEFAULT 0,
        recoveries INTEGER NOT NULL DEFAULT 0,
        added_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        error TEXT,
        run_at INTEGER,
        progress REAL,
        replays INTEGER NOT NULL DEFAULT 0,
        trace TEXT
      )`)
      // a file made by an earlier version: the columns it lacks (its tasks have priority 0), and
      // the index of the queue in the order it is taken, in place of the one by seq alone
      const columns = db.prepare(`PRAGMA table_info(fiberkit_tasks)`).all() as Array<{ readonly name: string }>
      const has = new Set(columns.map((column) => column.name))
      for (const column of ["failures", "recoveries", "priority", "replays"]) {
        if (!has.has(column)) db.exec(`ALTER TABLE fiberkit_tasks ADD COLUMN ${column} INTEGER NOT NULL DEFAULT 0`)
      }
      if (!has.has("run_at")) db.exec(`ALTER TABLE fiberkit_tasks ADD COLUMN run_at INTEGER`)
      if (!has.has("progress")) db.exec(`ALTER TABLE fiberkit_tasks ADD COLUMN progress REAL`)
      if (!has.has("trace")) db.exec(`ALTER TABLE fiberkit_tasks ADD COLUMN trace TEXT`)
      db.exec(`CREATE TABLE IF NOT EXISTS fiberkit_schedules (id TEXT PRIMARY KEY, last_tick INTEGER NOT NULL)`)
      db.exec(`DROP INDEX IF EXISTS fiberkit_tasks_unfinished`)
      db.exec(`CREATE INDEX IF NOT EXISTS fiberkit_tasks_queued ON fiberkit_tasks (state, priority DESC, seq)`)
      SqliteWindows.schema(db)
    },
    catch: failed("create its table")
  })

/** @internal */
export const defaultMaxRecoveries = 1

/** @internal */
export const layer = (options: {
  readonly filename: string
  readonly synchronous?: "full" | "normal" | undefined
  readonly maxRecoveries?: number | undefined
}): Layer.Layer<TaskStore.TaskStore, TaskStoreError | InvalidOptions> =>
  Layer.effect(
    TaskStore.TaskStore,
    Effect.gen(function*() {
      const maxRecoveries = options.maxRecoveries ?? defaultMaxRecoveries
      if (!Number.isSafeInteger(maxRecoveries) || maxRecoveries < 0) {
        return yield* new InvalidOptions({
          operation: "SqliteStore.layer",
          field: "maxRecoveries",
          expected: "an integer ≥ 0",
          value: maxRecoveries
        })
      }
      const db = yield* Effect.acquireRelease(
        Effect.mapError(Driver.open(options.filename), failed("open")),
        (db) => Effect.sync(() => db.close())
      )
      const synchronous = options.synchronous === "normal" ? "NORMAL" : "FULL"
      yield* Effect.try({ try: () => db.pragma(`synchronous = ${synchronous}`), catch: failed("set synchronous") })
      yield* schema(db)
      const commit = new GroupCommit(db)
      const store = new LocalStore(
        yield* Effect.try({
          try: () => persistence(db, commit, maxRecoveries),
          catch: failed("prepare its statements")
        })
      )
      // writes still pending when the store closes are committed before the database closes
      yield* Effect.addFinalizer(() => Effect.sync(() => commit.commit()))
      return store
    })
  )
