/** Review 26b PINS (passing): deduplication edges on BullMQ (scenarios in test/limitScenarios.ts). */
import { reviewDedupeEdges } from "../test/limitScenarios.js"
import { freshStore } from "./redis.js"

reviewDedupeEdges("BullMQ store", freshStore())
