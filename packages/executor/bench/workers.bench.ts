/**
 * The worker-pool benchmarks: `WorkerPool` against piscina, tinypool and workerpool, every pool
 * with 2 worker threads. First a CPU-bound job, 64 × fib(30), with a sequential loop on the main
 * thread as the baseline (the speedup); then 20,000 trivial tasks that return their argument
 * (the cost of dispatch per task). The pools start before the suites (start-up is not measured)
 * and end after them.
 */
import { Report, type Suite } from "@fiberkit/bench"
import { WorkerPool } from "@fiberkit/executor"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { fileURLToPath } from "node:url"
import { Piscina } from "piscina"
import Tinypool from "tinypool"
import workerpool from "workerpool"
import { echo, fib } from "./workers/fib.js"

const THREADS = 2
const FIB_N = 30
const FIB_TASKS = 64
const TRIVIAL_TASKS = 20_000
const fibItems = Array.from({ length: FIB_TASKS }, () => FIB_N)
const trivialItems = Array.from({ length: TRIVIAL_TASKS }, (_, i) => i)

/** The same function as the workers', for the sequential baseline on the main thread. */
const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))

const worker = (file: string): string => new URL(`./workers/${file}`, import.meta.url).href

const scope = Effect.runSync(Scope.make())
const pool = await Effect.runPromise(
  Scope.provide(WorkerPool.make({ module: new URL("./workers/fib.js", import.meta.url), concurrency: THREADS }), scope)
)
const piscina = new Piscina({ filename: worker("piscina.mjs"), minThreads: THREADS, maxThreads: THREADS })
const tinypool = new Tinypool({ filename: worker("tinypool.mjs"), minThreads: THREADS, maxThreads: THREADS })
const wpool = workerpool.pool(fileURLToPath(worker("workerpool.mjs")), {
  minWorkers: THREADS,
  maxWorkers: THREADS,
  workerType: "thread"
})

// Every pool answers once before the suites, so that its threads are up and its worker module loaded.
await Promise.all([
  Effect.runPromise(pool.map([1, 2], (n) => echo(n))),
  Promise.all([1, 2].map((n) => piscina.run(n, { name: "echo" }))),
  Promise.all([1, 2].map((n) => tinypool.run(n, { name: "echo" }))),
  Promise.all([1, 2].map((n) => wpool.exec("echo", [n])))
])

/** The contenders on worker threads: `items` through each pool, with `task` as the worker function. */
const pooled = (items: ReadonlyArray<number>, task: "fib" | "echo") => {
  const call = task === "fib" ? fib : echo
  const name = task === "fib" ? "default" : "echo"
  return [
    { name: "WorkerPool.map", run: () => Effect.runPromise(pool.map(items, (n) => call(n))) },
    {
      name: "WorkerPool.submit + result",
      run: () =>
        Effect.runPromise(
          Effect.flatMap(Effect.forEach(items, (n) => pool.submit(call(n))), (futures) =>
            Effect.forEach(futures, (future) => future.result))
        )
    },
    { name: "piscina", run: () => Promise.all(items.map((n) => piscina.run(n, { name }))) },
    { name: "tinypool", run: () => Promise.all(items.map((n) => tinypool.run(n, { name }))) },
    { name: "workerpool", run: () => Promise.all(items.map((n) => wpool.exec(task, [n]))) }
  ]
}

const [cpu, dispatch] = await Report.main("packages/executor/bench/workers.bench.ts", [
  {
    title: `${FIB_TASKS} × fib(${FIB_N}) on ${THREADS} threads`,
    description: `Each task computes fib(${FIB_N}) by naive recursion (about 8 ms of CPU). The sequential ` +
      `contender calls the same function ${FIB_TASKS} times on the main thread; the pools run the tasks on ` +
      `${THREADS} worker threads (the ratio of sequential to WorkerPool.map is the speedup). Per operation: ` +
      "one task.",
    operations: FIB_TASKS,
    reference: "WorkerPool.map",
    rounds: 4,
    time: 1,
    iterations: 2,
    contenders: [
      {
        name: "sequential (main thread)",
        run: () => {
          let sum = 0
          for (const n of fibItems) sum += slowFib(n)
          return sum
        }
      },
      ...pooled(fibItems, "fib")
    ]
  },
  {
    title: `${TRIVIAL_TASKS.toLocaleString("en")} trivial tasks on ${THREADS} threads`,
    description: `Each task returns its argument, so what is measured is dispatch: sending ${
      TRIVIAL_TASKS.toLocaleString("en")
    } tasks to ${THREADS} worker threads and receiving their results. Per operation: one task.`,
    operations: TRIVIAL_TASKS,
    reference: "WorkerPool.map",
    rounds: 5,
    time: 1,
    iterations: 3,
    contenders: pooled(trivialItems, "echo")
  }
])

// The targets: a speedup of at least 1.85× over sequential (on a quiet 2-core machine), and
// WorkerPool.map at most piscina's time for the CPU job and per dispatched task.
const medianOf = (result: Suite.Result, name: string): number => result.rows.find((row) => row.name === name)!.median
const speedup = medianOf(cpu, "sequential (main thread)") / medianOf(cpu, "WorkerPool.map")
const cpuVsPiscina = medianOf(cpu, "WorkerPool.map") / medianOf(cpu, "piscina")
const dispatchVsPiscina = medianOf(dispatch, "WorkerPool.map") / medianOf(dispatch, "piscina")
process.stdout.write(
  `\nWorkerPool.map: speedup over sequential ${speedup.toFixed(2)}× (target ≥ 1.85×), ` +
    `CPU job ${cpuVsPiscina.toFixed(2)}× piscina's time (target ≤ 1), ` +
    `dispatch ${dispatchVsPiscina.toFixed(2)}× piscina's time per task (target ≤ 1)\n`
)

await Promise.all([piscina.destroy(), tinypool.destroy(), wpool.terminate()])
await Effect.runPromise(Scope.close(scope, Exit.void))
