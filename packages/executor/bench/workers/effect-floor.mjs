// The floor of any worker thread written with Effect: it loads `effect` and `effect/Schema` (what a
// module declaring tasks with schemas imports) and says it is ready.
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { parentPort } from "node:worker_threads"

parentPort.postMessage(typeof Effect.succeed === "function" && typeof Schema.Number === "object")
