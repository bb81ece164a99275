import { contract } from "../test/contract.js"
import { freshStore } from "./redis.js"

contract("BullMQ store", { store: freshStore(), propertyRuns: 8 })
