import { reviewEdges, reviewPins } from "../test/zz-review-scenarios.js"
import { freshStore } from "./redis.js"

reviewEdges("BullMQ store", freshStore())
reviewPins("BullMQ store", freshStore())
