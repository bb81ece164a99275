/**
 * The worker module of the WorkerPool benchmark: `fib`, the CPU-bound task (naive recursion,
 * the same function as the peers' worker scripts and the sequential baseline), and `echo`, a
 * trivial task that returns its payload, for the cost of dispatch.
 */
import { WorkerTask } from "@fiberkit/executor"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))

/** The `n`th Fibonacci number, computed the slow way. */
export const fib = WorkerTask.make("fib", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.sync(() => slowFib(n))
})

/** Returns its payload. */
export const echo = WorkerTask.make("echo", {
  payload: Schema.Number,
  success: Schema.Number,
  run: (n) => Effect.succeed(n)
})

Effect.runFork(WorkerTask.serve([fib, echo]))
