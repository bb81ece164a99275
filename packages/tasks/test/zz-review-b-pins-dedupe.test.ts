/** Review 26b PINS (passing): deduplication edges on the local stores (scenarios in zz-review-b-scenarios.ts). */
import * as TaskStore from "../src/TaskStore.js"
import { reviewDedupeEdges, sqliteStore } from "./zz-review-b-scenarios.js"

reviewDedupeEdges("memory store", TaskStore.memory)
reviewDedupeEdges("SQLite store", sqliteStore)
