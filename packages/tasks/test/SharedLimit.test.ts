/** Review-26b regression test (it failed before the fix): two managers on one local store, one with a definition limit — a task queued while the other manager was at its limit waited for it (scenario in limitScenarios.ts). */
import * as TaskStore from "../src/TaskStore.js"
import { reviewSharedLimit, sqliteStore } from "./limitScenarios.js"

reviewSharedLimit("memory store", TaskStore.memory)
reviewSharedLimit("SQLite store", sqliteStore)
