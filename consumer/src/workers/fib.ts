/**
 * The worker module of the WorkerPool check: `fib` declared once for both threads. On a worker
 * thread the effect `WorkerTask.serve` returns serves it; on the main thread it succeeds at once
 * and main.ts imports `fib` from here. Compiled to dist/workers/fib.js, the file the pool's
 * threads load.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as WorkerTask from "@fiberkit/executor/WorkerTask"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** A payload `fib` refuses: its typed failure, which crosses the thread as itself. */
export class NotNatural extends Schema.TaggedError<NotNatural>()("NotNatural", { n: Schema.Number }) {}

const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))

export const fib = WorkerTask.make("fib", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: NotNatural,
  run: (n) => (Number.isSafeInteger(n) && n >= 0 ? Effect.sync(() => slowFib(n)) : Effect.fail(new NotNatural({ n })))
})

NodeRuntime.runMain(WorkerTask.serve([fib]))
