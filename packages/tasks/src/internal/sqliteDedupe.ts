import type { WindowRow } from "./localDedupe.js"
import type * as Driver from "./sqliteDriver.js"

/**
 * The SQLite store's deduplication windows: the table `fiberkit_dedupe (key, id, until)`, one row
 * per key, written in the transaction of the add or move that opens or extends its window (a
 * file made by an earlier version gains the table when it is opened). A key's row is replaced
 * when the key opens a new window, and rows whose window ended are deleted as windows open.
 *
 * @internal
 */
export class SqliteWindows {
  private readonly sql: {
    readonly read: Driver.Statement
    readonly write: Driver.Statement
    readonly sweep: Driver.Statement
    readonly runAt: Driver.Statement
  }

  constructor(db: Driver.Database) {
    this.sql = {
      read: db.prepare(`SELECT key, id, until FROM fiberkit_dedupe WHERE key = ?`),
      write: db.prepare(`INSERT OR REPLACE INTO fiberkit_dedupe (key, id, until) VALUES (?, ?, ?)`),
      sweep: db.prepare(`DELETE FROM fiberkit_dedupe WHERE until <= ?`),
      runAt: db.prepare(`UPDATE fiberkit_tasks SET run_at = ? WHERE id = ?`)
    }
  }

  /** Creates the table, in a file that lacks it. */
  static schema(db: Driver.Database): void {
    db.exec(
      `CREATE TABLE IF NOT EXISTS fiberkit_dedupe (key TEXT PRIMARY KEY, id TEXT NOT NULL, until INTEGER NOT NULL)`
    )
    db.exec(`CREATE INDEX IF NOT EXISTS fiberkit_dedupe_until ON fiberkit_dedupe (until)`)
  }

  read(key: string): WindowRow | undefined {
    return this.sql.read.get(key) as WindowRow | undefined
  }

  /** A key opens a new window at `now` (in the transaction that adds its task). */
  open(window: WindowRow, now: number): void {
    this.sql.sweep.run(now)
    this.sql.write.run(window.key, window.id, window.until)
  }

  /** A debounce: the window's task waits for `at`, and the window lasts as long. */
  move(id: string, at: number, window: WindowRow): void {
    this.sql.runAt.run(at, id)
    this.sql.write.run(window.key, window.id, window.until)
  }
}
