/**
 * Review 26b PINS (passing): scenarios of test/limitScenarios.ts on the local stores, where
 * they hold (on BullMQ the status one holds since its fix, test-redis/LimitRecord.test.ts; the place is not kept there, as docs/production.md says).
 */
import * as TaskStore from "../src/TaskStore.js"
import { reviewLimitPlace, reviewLimitRecord, sqliteStore } from "./limitScenarios.js"

reviewLimitPlace("memory store (pin)", TaskStore.memory)
reviewLimitPlace("SQLite store (pin)", sqliteStore)
reviewLimitRecord("memory store (pin)", TaskStore.memory)
reviewLimitRecord("SQLite store (pin)", sqliteStore)
