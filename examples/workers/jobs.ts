/**
 * The worker module of `19-right-tool.ts`: one job of each kind, declared once for both threads.
 * `wait` is I/O-bound (it waits, as a request or a query does, and computes nothing), `compute`
 * is CPU-bound (it computes, and waits for nothing). Each runs on whichever thread runs it: the
 * main thread on a FiberPool or inline, a worker thread on a WorkerPool, which loads this module
 * in each of its threads, where the effect `WorkerTask.serve` returns serves both.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as WorkerTask from "@fiberkit/executor/WorkerTask"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

/** An I/O-bound job: waits `millis` — a network request, a database query — computing nothing. */
export const wait = WorkerTask.make("wait", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (millis) => Effect.as(Effect.sleep(millis), millis)
})

/** The n-th Fibonacci number, the slow recursive way: pure computation, nothing to wait for. */
const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))

/** A CPU-bound job: computes fib(n) recursively, waiting for nothing. */
export const compute = WorkerTask.make("compute", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.sync(() => slowFib(n))
})

// in a worker thread this serves both jobs; on the main thread it succeeds at once and does nothing
NodeRuntime.runMain(WorkerTask.serve([wait, compute]))
