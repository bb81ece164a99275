/** Review 26b (failing): a cancel across two managers on one local store (scenario in zz-review-b-scenarios.ts). */
import * as TaskStore from "../src/TaskStore.js"
import { reviewSharedCancel, sqliteStore } from "./zz-review-b-scenarios.js"

reviewSharedCancel("memory store", TaskStore.memory)
reviewSharedCancel("SQLite store", sqliteStore)
