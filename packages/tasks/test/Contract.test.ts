import * as TaskStore from "../src/TaskStore.js"
import { contract } from "./contract.js"
import { contractDeadLetters } from "./contractDeadLetters.js"
import { contractDedupe } from "./contractDedupe.js"
import { contractDefinitionConcurrency } from "./contractDefinitionConcurrency.js"
import { contractDelays } from "./contractDelays.js"
import { contractEdges } from "./contractEdges.js"
import { contractMetrics } from "./contractMetrics.js"
import { contractPolicies } from "./contractPolicies.js"
import { contractPriority } from "./contractPriority.js"
import { contractProgress } from "./contractProgress.js"
import { contractSchedules } from "./contractSchedules.js"
import { contractTraces } from "./contractTraces.js"
import { sqliteStore } from "./fixtures/sqliteStore.js"

contract("memory store", { store: TaskStore.memory, propertyRuns: 30 })

contract("SQLite store", { store: sqliteStore, propertyRuns: 15 })

contractEdges("memory store", TaskStore.memory, { localHandOff: true })
contractEdges("SQLite store", sqliteStore, { localHandOff: true })
contractPriority("memory store", TaskStore.memory, { propertyRuns: 50 })
contractPriority("SQLite store", sqliteStore, { propertyRuns: 20 })
contractDeadLetters("memory store", TaskStore.memory)
contractDeadLetters("SQLite store", sqliteStore)
contractDelays("memory store", TaskStore.memory)
contractDelays("SQLite store", sqliteStore)
contractProgress("memory store", TaskStore.memory)
contractProgress("SQLite store", sqliteStore)
contractSchedules("memory store", TaskStore.memory)
contractSchedules("SQLite store", sqliteStore)
contractTraces("memory store", TaskStore.memory)
contractTraces("SQLite store", sqliteStore)
contractDefinitionConcurrency("memory store", TaskStore.memory)
contractDefinitionConcurrency("SQLite store", sqliteStore)
contractDedupe("memory store", TaskStore.memory)
contractDedupe("SQLite store", sqliteStore)
contractPolicies("memory store", TaskStore.memory)
contractPolicies("SQLite store", sqliteStore)
contractMetrics("memory store", TaskStore.memory)
contractMetrics("SQLite store", sqliteStore)
