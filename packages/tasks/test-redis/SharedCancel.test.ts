/** Review 26b PIN (passing): a cancel across two managers on one BullMQ queue (scenario in test/limitScenarios.ts). */
import { reviewSharedCancel } from "../test/limitScenarios.js"
import { freshStore } from "./redis.js"

reviewSharedCancel("BullMQ store", freshStore())
