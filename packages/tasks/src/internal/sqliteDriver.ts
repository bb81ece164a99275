import * as Effect from "effect/Effect"

/**
 * The SQLite driver of `SqliteStore`: better-sqlite3, an optional peer dependency, loaded when a
 * store opens (importing `@fiberkit/tasks` never loads it). Only what the store uses is typed
 * here: the package ships no types of its own.
 *
 * Why better-sqlite3 and not `node:sqlite`: both commit and read the store's statements at the
 * same speed, but `node:sqlite` prints an `ExperimentalWarning` on Node 22, the oldest Node the
 * package supports.
 */

/** A prepared statement. */
export interface Statement {
  run(...params: ReadonlyArray<unknown>): { readonly changes: number }
  get(...params: ReadonlyArray<unknown>): unknown
  all(...params: ReadonlyArray<unknown>): Array<unknown>
}

/** A connection to one file. */
export interface Database {
  /** Whether a transaction is open (SQLite ends one by itself on some errors: disk full, I/O). */
  readonly inTransaction: boolean
  readonly open: boolean
  exec(sql: string): unknown
  prepare(sql: string): Statement
  pragma(sql: string): unknown
  close(): unknown
}

type Constructor = new(filename: string) => Database

/** Not a literal: the compiler does not look for the package's types, and bundlers leave it be. */
const driver: string = "better-sqlite3"

let loaded: Promise<Constructor> | undefined

/**
 * A connection to `filename` (created if missing), with the write-ahead log on. Fails with the
 * reason when better-sqlite3 is not installed or the file cannot be opened. Each operation waits
 * up to 5 seconds for a lock another connection holds (better-sqlite3's default).
 *
 * @internal
 */
export const open = (filename: string): Effect.Effect<Database, unknown> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () =>
        loaded ??= import(driver).then((module: { readonly default?: Constructor }) => module.default as Constructor),
      catch: (cause) => {
        loaded = undefined
        return new Error(
          `SqliteStore needs the package better-sqlite3 (an optional peer dependency of @fiberkit/tasks): ${
            cause instanceof Error ? cause.message : String(cause)
          }`,
          { cause }
        )
      }
    }),
    (Database) =>
      Effect.try({
        try: () => {
          const db = new Database(filename)
          try {
            db.pragma("journal_mode = WAL")
          } catch (error) {
            db.close()
            throw error
          }
          return db
        },
        catch: (cause) => cause
      })
  )
