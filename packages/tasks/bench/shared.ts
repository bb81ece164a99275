/**
 * What the TaskManager benchmarks share: the no-op task (the BullMQ worker processes run it
 * too), the in-process stores, and a median.
 */
import { TaskManager, TaskStore } from "@fiberkit/tasks"
import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

export const TASKS = 10_000
/** Worker fibers of a manager on an in-process store. */
export const WORKERS = 8
export const items = Array.from({ length: TASKS }, (_, i) => i)

export const noop = TaskManager.define("noop", { args: Schema.Number, run: () => Effect.void })

export type Store = () => Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>

let dir: string | undefined
let files = 0

/** Every SQLite run gets a new file (WAL), so each starts from an empty table; all are deleted at exit. */
const sqliteFile = (): string => {
  if (dir === undefined) {
    const created = fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-tasks-bench-"))
    process.once("exit", () => fs.rmSync(created, { recursive: true, force: true }))
    dir = created
  }
  return path.join(dir, `run-${files++}.db`)
}

/** The memory store and the SQLite store, by name. */
export const stores: ReadonlyArray<readonly [string, Store]> = [
  ["memory store", () => TaskStore.memory],
  [
    "SQLite store",
    () =>
      Effect.suspend(() =>
        Effect.map(Layer.build(SqliteStore.layer({ filename: sqliteFile() })), Context.get(TaskStore.TaskStore))
      )
  ]
]

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
