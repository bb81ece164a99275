/**
 * Start-up of a 2-thread pool, as users run it: plain JavaScript (this file and the worker
 * modules; fiberkit from its build), no TypeScript loader in the process or its threads.
 *
 * Each run makes a pool and waits for the first result of each thread (two tasks that return their
 * argument); the pool is closed after the run, outside the time. fiberkit's `WorkerPool.make`
 * starts both threads at once and returns when both serve, so the two tasks are answered at once.
 * Two floors: a bare worker thread that says it is ready, and one that first loads `effect` and
 * `effect/Schema` (which any worker module declaring its tasks with schemas loads).
 */
import { Report } from "@fiberkit/bench"
import { WorkerPool } from "@fiberkit/executor"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { Worker } from "node:worker_threads"
import { Piscina } from "piscina"
import Tinypool from "tinypool"
import workerpool from "workerpool"
import { echo } from "./workers/echo.mjs"

const THREADS = 2
const worker = (file) => new URL(`./workers/${file}`, import.meta.url)

/** A contender that starts a pool in `run` and closes it in `afterEach`. */
const started = (name, start) => {
  let close = async () => {}
  return {
    name,
    run: async () => {
      close = await start()
    },
    afterEach: () => close()
  }
}

const fiberkit = (file) => async () => {
  const scope = Effect.runSync(Scope.make())
  const pool = await Effect.runPromise(
    Scope.provide(WorkerPool.make({ module: worker(file), concurrency: THREADS }), scope)
  )
  await Effect.runPromise(pool.map([1, 2], (n) => echo(n)))
  return () => Effect.runPromise(Scope.close(scope, Exit.void))
}

const bareThreads = (file) => async () => {
  const threads = Array.from({ length: THREADS }, () => new Worker(worker(file)))
  await Promise.all(threads.map((thread) => new Promise((resolve) => thread.once("message", resolve))))
  return () => Promise.all(threads.map((thread) => thread.terminate()))
}

const [startup] = await Report.main("packages/executor/bench/startup.bench.mjs", [
  {
    title: `Start-up: a pool of ${THREADS} threads from JavaScript, to its first ${THREADS} results`,
    description: "Per run: make the pool, then run two tasks that return their argument, one per thread. " +
      "`WorkerPool` twice: with a worker module that imports `@fiberkit/executor/WorkerTask` alone, and one " +
      "that imports the package index.",
    reference: "WorkerPool (worker imports WorkerTask)",
    rounds: 5,
    time: 1_000,
    iterations: 3,
    contenders: [
      started("WorkerPool (worker imports WorkerTask)", fiberkit("echo.mjs")),
      started("WorkerPool (worker imports the index)", fiberkit("echo-index.mjs")),
      started("piscina", async () => {
        const pool = new Piscina({ filename: worker("piscina.mjs").href, minThreads: THREADS, maxThreads: THREADS })
        await Promise.all([1, 2].map((n) => pool.run(n, { name: "echo" })))
        return () => pool.destroy()
      }),
      started("tinypool", async () => {
        const pool = new Tinypool({ filename: worker("tinypool.mjs").href, minThreads: THREADS, maxThreads: THREADS })
        await Promise.all([1, 2].map((n) => pool.run(n, { name: "echo" })))
        return () => pool.destroy()
      }),
      started("workerpool", async () => {
        const pool = workerpool.pool(worker("workerpool.mjs").pathname, {
          minWorkers: THREADS,
          maxWorkers: THREADS,
          workerType: "thread"
        })
        await Promise.all([1, 2].map((n) => pool.exec("echo", [n])))
        return () => pool.terminate()
      }),
      started("2 threads loading effect and effect/Schema (floor)", bareThreads("effect-floor.mjs")),
      started("2 bare threads (floor)", bareThreads("node-floor.mjs"))
    ]
  }
])

const median = (name) => startup.rows.find((row) => row.name === name).median
process.stdout.write(
  `\nWorkerPool start-up: ${(median("WorkerPool (worker imports WorkerTask)") / median("piscina")).toFixed(2)}× ` +
    `piscina's (target ≤ 3); loading effect and effect/Schema alone: ${
      (median("2 threads loading effect and effect/Schema (floor)") / median("piscina")).toFixed(2)
    }×\n`
)
