/**
 * A durable `TaskStore` in one SQLite file (through `@effect/sql-sqlite-node`, write-ahead log
 * on). Every change is on disk before the operation returns: a task added survives a crash of
 * the process; after a restart, unfinished tasks run again — one that was running counts that
 * attempt — and finished ones never do. One process uses a file at a time.
 *
 * @since 0.1.0
 */
import type * as Layer from "effect/Layer"
import type { TaskStoreError } from "./Errors.js"
import * as internal from "./internal/sqliteStore.js"
import type * as TaskStore from "./TaskStore.js"

/**
 * The store in `filename` (created if missing), as a layer.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { SqliteStore, TaskManager } from "@fiberkit/tasks"
 *
 * declare const program: Effect.Effect<void, never, TaskStore.TaskStore>
 * const durable = program.pipe(Effect.provide(SqliteStore.layer({ filename: "tasks.db" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options: { readonly filename: string }) => Layer.Layer<TaskStore.TaskStore, TaskStoreError> =
  internal.layer
