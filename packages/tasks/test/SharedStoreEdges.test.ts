/**
 * Review-26a regression tests (`reviewEdges` failed before their fixes: two managers started
 * 100 ms apart doubled an every schedule's ticks; on BullMQ a progress report from a fiber that
 * outlived its task changed status), and pins (`reviewPins`), on the memory and SQLite stores.
 */
import * as TaskStore from "../src/TaskStore.js"
import { sqliteStore } from "./fixtures/sqliteStore.js"
import { reviewEdges, reviewPins } from "./sharedStoreScenarios.js"

reviewEdges("memory store", TaskStore.memory)
reviewPins("memory store", TaskStore.memory)
reviewEdges("SQLite store", sqliteStore)
reviewPins("SQLite store", sqliteStore)
