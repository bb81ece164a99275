import { contract } from "../test/contract.js"
import { contractEdges } from "../test/contractEdges.js"
import { contractPriority } from "../test/contractPriority.js"
import { freshStore } from "./redis.js"

contract("BullMQ store", { store: freshStore(), propertyRuns: 8 })
contractEdges("BullMQ store", freshStore(), { localHandOff: false })
contractPriority("BullMQ store", freshStore(), { propertyRuns: 10 })
