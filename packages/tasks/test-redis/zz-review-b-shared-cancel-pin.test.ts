/** Review 26b PIN (passing): a cancel across two managers on one BullMQ queue (scenario in test/zz-review-b-scenarios.ts). */
import { reviewSharedCancel } from "../test/zz-review-b-scenarios.js"
import { freshStore } from "./redis.js"

reviewSharedCancel("BullMQ store", freshStore())
