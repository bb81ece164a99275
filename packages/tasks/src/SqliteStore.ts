/**
 * A durable `TaskStore` in one SQLite file (through `better-sqlite3`, write-ahead log on). Every change is committed before the operation returns: a task added survives a crash of
 * the process; after a restart, unfinished tasks run again — one that was running counts that
 * attempt — and finished ones never do. One process uses a file at a time. A task found running
 * after more than `maxRecoveries` crashes fails instead of running again.
 *
 * Import it as `@fiberkit/tasks/SqliteStore` (it is not in the package index). It needs the
 * package `better-sqlite3`, an optional peer dependency, loaded when a store opens: without it,
 * `layer` fails `TaskStoreError` (operation `open`) saying so.
 *
 * `synchronous: "full"` (the default) syncs each commit to disk, so it also survives a power
 * cut; `"normal"` leaves the write-ahead log to the operating system — it survives a crash of
 * the process, not of the machine, and commits several times faster. The writes of one
 * synchronous run of fibers are committed together (group commit).
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type { InvalidOptions, TaskStoreError } from "./Errors.js"
import * as internal from "./internal/sqliteStore.js"
import type * as TaskStore from "./TaskStore.js"

/**
 * The store in `filename` (created if missing), as a layer.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskStore } from "@fiberkit/tasks"
 * import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
 *
 * declare const program: Effect.Effect<void, never, TaskStore.TaskStore>
 * const durable = program.pipe(Effect.provide(SqliteStore.layer({ filename: "tasks.db" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: {
  readonly filename: string
  readonly synchronous?: "full" | "normal" | undefined
  /**
   * How many times a task found running at a start (its process ended during an attempt) is
   * queued again; found running once more, it fails instead, with an `error` that says so — it
   * may be what ends the process. Default 1 (as BullMQ's `maxStalledCount`); 0 runs no task again
   * after a crash.
   */
  readonly maxRecoveries?: number | undefined
}) => Layer.Layer<TaskStore.TaskStore, TaskStoreError | InvalidOptions> = internal.layer
