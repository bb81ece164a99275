/** Review 26b (failing): a definition's concurrency on the BullMQ store (scenarios in test/zz-review-b-scenarios.ts). */
import { reviewLimitPlace, reviewLimitRecord } from "../test/zz-review-b-scenarios.js"
import { freshStore } from "./redis.js"

reviewLimitPlace("BullMQ store", freshStore())
reviewLimitRecord("BullMQ store", freshStore())
