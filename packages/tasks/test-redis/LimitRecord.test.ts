/**
 * Review-26b regression test (it failed before the fix): on BullMQ a task put off at its
 * definition's limit showed a startedAt though no attempt of it had started. (Its place among
 * the tasks of its priority is not kept on BullMQ — documented in docs/production.md; the local
 * stores keep it: test/LimitPins.test.ts.)
 */
import { reviewLimitRecord } from "../test/limitScenarios.js"
import { freshStore } from "./redis.js"

reviewLimitRecord("BullMQ store", freshStore())
