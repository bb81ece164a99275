// The worker module of the start-up benchmark, in JavaScript as a build would leave it: one
// task that returns its payload. It imports the package index (everything the package has).
import { WorkerTask } from "@fiberkit/executor"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const echo = WorkerTask.make("echo", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(n)
})

Effect.runFork(WorkerTask.serve([echo]))
