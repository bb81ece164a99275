/** Review 26b PINS (passing): deduplication edges on the local stores (scenarios in limitScenarios.ts). */
import * as TaskStore from "../src/TaskStore.js"
import { reviewDedupeEdges, sqliteStore } from "./limitScenarios.js"

reviewDedupeEdges("memory store", TaskStore.memory)
reviewDedupeEdges("SQLite store", sqliteStore)
