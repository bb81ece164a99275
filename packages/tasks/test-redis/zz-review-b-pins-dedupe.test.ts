/** Review 26b PINS (passing): deduplication edges on BullMQ (scenarios in test/zz-review-b-scenarios.ts). */
import { reviewDedupeEdges } from "../test/zz-review-b-scenarios.js"
import { freshStore } from "./redis.js"

reviewDedupeEdges("BullMQ store", freshStore())
