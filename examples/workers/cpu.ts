/**
 * The worker module of `08-cpu-bound.ts`: a CPU-bound task, declared once for both threads.
 * Each of the WorkerPool's worker threads loads this module and runs `WorkerTask.serve`, which
 * serves `fib` there; on the main thread that effect succeeds at once, and the example imports
 * `fib` from here. It imports the modules it uses rather than the packages' indexes: every worker
 * thread loads it before the pool is ready, so fewer modules start the pool sooner.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as WorkerTask from "@fiberkit/executor/WorkerTask"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** A payload `fib` refuses: its typed failure, Schema-encoded so it crosses threads as itself. */
export class NotNatural extends Schema.TaggedError<NotNatural>()("NotNatural", { n: Schema.Number }) {}

/** The n-th Fibonacci number, the slow recursive way: pure computation, nothing to wait for. */
const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))

/** `fib(n)` computes on whichever thread runs it: the current one inline, a worker's on a WorkerPool. */
export const fib = WorkerTask.make("fib", {
  payload: Schema.Number,
  success: Schema.Number,
  failure: NotNatural,
  run: (n) => (Number.isSafeInteger(n) && n >= 0 ? Effect.sync(() => slowFib(n)) : Effect.fail(new NotNatural({ n })))
})

// in a worker thread this serves `fib`; on the main thread it succeeds at once and does nothing
NodeRuntime.runMain(WorkerTask.serve([fib]))
