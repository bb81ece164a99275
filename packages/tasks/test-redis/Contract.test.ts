import { contract } from "../test/contract.js"
import { contractDeadLetters } from "../test/contractDeadLetters.js"
import { contractDedupe } from "../test/contractDedupe.js"
import { contractDefinitionConcurrency } from "../test/contractDefinitionConcurrency.js"
import { contractDelays } from "../test/contractDelays.js"
import { contractEdges } from "../test/contractEdges.js"
import { contractMetrics } from "../test/contractMetrics.js"
import { contractPolicies } from "../test/contractPolicies.js"
import { contractPriority } from "../test/contractPriority.js"
import { contractProgress } from "../test/contractProgress.js"
import { contractSchedules } from "../test/contractSchedules.js"
import { contractTraces } from "../test/contractTraces.js"
import { freshStore } from "./redis.js"

contract("BullMQ store", { store: freshStore(), propertyRuns: 8 })
contractEdges("BullMQ store", freshStore(), { localHandOff: false })
contractPriority("BullMQ store", freshStore(), { propertyRuns: 10 })
contractDeadLetters("BullMQ store", freshStore())
contractDelays("BullMQ store", freshStore())
contractProgress("BullMQ store", freshStore())
contractSchedules("BullMQ store", freshStore())
contractTraces("BullMQ store", freshStore())
contractDefinitionConcurrency("BullMQ store", freshStore())
contractDedupe("BullMQ store", freshStore())
contractPolicies("BullMQ store", freshStore())
contractMetrics("BullMQ store", freshStore())
