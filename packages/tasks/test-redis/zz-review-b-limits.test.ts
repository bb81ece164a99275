/** Review 26b: a definition's concurrency on the BullMQ store (scenarios in test/zz-review-b-scenarios.ts). */
import { reviewLimitPlace } from "../test/zz-review-b-scenarios.js"
import { freshStore } from "./redis.js"

reviewLimitPlace("BullMQ store", freshStore())
