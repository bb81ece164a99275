import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskStore from "../src/TaskStore.js"
import { reviewEdges, reviewPins } from "./zz-review-scenarios.js"

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
