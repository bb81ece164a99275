/**
 * Review 26b PINS (passing): scenarios of test/zz-review-b-scenarios.ts on the local stores, where
 * they hold — their BullMQ runs (test-redis/zz-review-b-limits.test.ts) fail.
 */
import * as TaskStore from "../src/TaskStore.js"
import { reviewLimitPlace, reviewLimitRecord, sqliteStore } from "./zz-review-b-scenarios.js"

reviewLimitPlace("memory store (pin)", TaskStore.memory)
reviewLimitPlace("SQLite store (pin)", sqliteStore)
reviewLimitRecord("memory store (pin)", TaskStore.memory)
reviewLimitRecord("SQLite store (pin)", sqliteStore)
