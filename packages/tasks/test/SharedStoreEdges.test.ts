/**
 * Review-26a regression tests (`reviewEdges` failed before their fixes: two managers started
 * 100 ms apart doubled an every schedule's ticks; on BullMQ a progress report from a fiber that
 * outlived its task changed status), and pins (`reviewPins`), on the memory and SQLite stores.
 */
import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskStore from "../src/TaskStore.js"
import { reviewEdges, reviewPins } from "./sharedStoreScenarios.js"

const sqliteStore = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-review-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const context = yield* Layer.build(SqliteStore.layer({ filename: path.join(dir, "tasks.db") }))
  return Context.get(context, TaskStore.TaskStore)
})

reviewEdges("memory store", TaskStore.memory)
reviewPins("memory store", TaskStore.memory)
reviewEdges("SQLite store", sqliteStore)
reviewPins("SQLite store", sqliteStore)
