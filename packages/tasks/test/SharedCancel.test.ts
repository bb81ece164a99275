/**
 * Review-26b regression test (it failed before the fix): a cancel made in one manager of a task
 * another manager on the same local store runs never answered, and the adding manager's join hung
 * (scenario in limitScenarios.ts).
 */
import * as TaskStore from "../src/TaskStore.js"
import { reviewSharedCancel, sqliteStore } from "./limitScenarios.js"

reviewSharedCancel("memory store", TaskStore.memory)
reviewSharedCancel("SQLite store", sqliteStore)
