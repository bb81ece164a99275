import { Context, Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskStore from "../src/TaskStore.js"
import { contract } from "./contract.js"
import { contractDeadLetters } from "./contractDeadLetters.js"
import { contractDedupe } from "./contractDedupe.js"
import { contractDefinitionConcurrency } from "./contractDefinitionConcurrency.js"
import { contractDelays } from "./contractDelays.js"
import { contractEdges } from "./contractEdges.js"
import { contractMetrics } from "./contractMetrics.js"
import { contractPolicies } from "./contractPolicies.js"
import { contractPriority } from "./contractPriority.js"
import { contractProgress } from "./contractProgress.js"
import { contractSchedules } from "./contractSchedules.js"
import { contractTraces } from "./contractTraces.js"

contract("memory store", { store: TaskStore.memory, propertyRuns: 30 })

/** A store on a new SQLite file, open until the test's scope ends. */
const sqliteStore = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-contract-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  // built in the test's scope: the database stays open until the test ends
  const context = yield* Layer.build(
    SqliteStore.layer({ filename: path.join(dir, "tasks.db"), synchronous: "normal" })
  )
  return Context.get(context, TaskStore.TaskStore)
})

contract("SQLite store", { store: sqliteStore, propertyRuns: 15 })

contractEdges("memory store", TaskStore.memory, { localHandOff: true })
contractEdges("SQLite store", sqliteStore, { localHandOff: true })
contractPriority("memory store", TaskStore.memory, { propertyRuns: 50 })
contractPriority("SQLite store", sqliteStore, { propertyRuns: 20 })
contractDeadLetters("memory store", TaskStore.memory)
contractDeadLetters("SQLite store", sqliteStore)
contractDelays("memory store", TaskStore.memory)
contractDelays("SQLite store", sqliteStore)
contractProgress("memory store", TaskStore.memory)
contractProgress("SQLite store", sqliteStore)
contractSchedules("memory store", TaskStore.memory)
contractSchedules("SQLite store", sqliteStore)
contractTraces("memory store", TaskStore.memory)
contractTraces("SQLite store", sqliteStore)
contractDefinitionConcurrency("memory store", TaskStore.memory)
contractDefinitionConcurrency("SQLite store", sqliteStore)
contractDedupe("memory store", TaskStore.memory)
contractDedupe("SQLite store", sqliteStore)
contractPolicies("memory store", TaskStore.memory)
contractPolicies("SQLite store", sqliteStore)
contractMetrics("memory store", TaskStore.memory)
contractMetrics("SQLite store", sqliteStore)
