/** Review-26a regression tests and pins (see test/SharedStoreEdges.test.ts) on the BullMQ store. */
import { reviewEdges, reviewPins } from "../test/sharedStoreScenarios.js"
import { freshStore } from "./redis.js"

reviewEdges("BullMQ store", freshStore())
reviewPins("BullMQ store", freshStore())
