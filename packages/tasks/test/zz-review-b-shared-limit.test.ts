/** Review 26b (failing): two managers on one local store, one with a definition limit (scenario in zz-review-b-scenarios.ts). */
import * as TaskStore from "../src/TaskStore.js"
import { reviewSharedLimit, sqliteStore } from "./zz-review-b-scenarios.js"

reviewSharedLimit("memory store", TaskStore.memory)
reviewSharedLimit("SQLite store", sqliteStore)
