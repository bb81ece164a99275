/**
 * CPU-bound work — WorkerPool, Python's ProcessPoolExecutor.
 *
 * The guide's "Choose the right tool": I/O-bound tasks go to a `ThreadPoolExecutor`, but
 * "CPU-bound tasks: Use ProcessPoolExecutor" — mathematical calculations, image processing and
 * data analysis are "not good for threading": "use multiprocessing instead". In Python the GIL
 * lets one thread run Python code at a time; in Node every fiber runs on the one JavaScript
 * thread, so a FiberPool overlaps waiting, never computing. A `WorkerPool` runs tasks on Node
 * `worker_threads`, by default one per core (`os.availableParallelism()`, as a
 * `ProcessPoolExecutor()` starts one process per CPU).
 *
 * The same job, 8 × fib(32) computed the slow recursive way, three times: on the main fiber, on
 * a FiberPool of 4 fibers (no faster: they take turns on one thread), and on a WorkerPool (near
 * linear in the cores). What runs on a worker is a `WorkerTask` declared in a worker module,
 * `workers/cpu.ts`, which the main thread imports too — as a process pool's function must be
 * importable by name. `fib(32)` is an effect: inline it computes on this thread,
 * `workerPool.map(jobs, (n) => fib(n))` sends it to the workers. The pool is started (each worker
 * loads the module) before the clock starts: start-up is not counted. A task's typed failure
 * crosses the thread as itself.
 *
 * `--timeline FILE.svg` draws both pools in FILE.svg, one row per worker: on the FiberPool one
 * computation after another, on the WorkerPool's threads side by side; `--chart` prints the same
 * chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/08-cpu-bound.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool, WorkerPool } from "@fiberkit/executor"
import { Clock, Console, Effect } from "effect"
import * as os from "node:os"
import { withTimeline } from "./timeline.js"
import { fib, NotNatural } from "./workers/cpu.js"

const N = 32
const jobs = Array.from({ length: 8 }, () => N)
const FIBERS = 4

const threads = (n: number) => `${n} thread${n === 1 ? "" : "s"}`

/** Runs `effect` and returns its result with the seconds it took. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const result = yield* effect
    return [result, ((yield* Clock.currentTimeMillis) - start) / 1000] as const
  })

const program = Effect.scoped(Effect.gen(function*() {
  yield* Console.log(`The job: ${jobs.length} × fib(${N}), computed recursively — CPU-bound, nothing to wait for`)

  // The pool first, before any timing: every worker thread starts and loads workers/cpu.ts.
  // A `.js` URL whose `.ts` sibling exists runs the TypeScript source (through tsx).
  const [workerPool, startUp] = yield* timed(WorkerPool.make({ module: new URL("./workers/cpu.js", import.meta.url) }))
  yield* Console.log(
    `WorkerPool: ${threads(workerPool.concurrency)} (os.availableParallelism() = ${os.availableParallelism()}), ` +
      `started in ${startUp.toFixed(2)}s — start-up not counted below`
  )

  // 1. Inline: each call computes on the main thread, one after another
  const [inline, mainTime] = yield* timed(Effect.forEach(jobs, (n) => fib(n)))
  const speedup = (seconds: number) => `${(mainTime / seconds).toFixed(2)}×`
  yield* Console.log(`\nMain fiber: ${mainTime.toFixed(2)}s`)

  // 2. A FiberPool: the same calls on 4 fibers, which share the main thread
  const fiberPool = yield* FiberPool.make({ concurrency: FIBERS })
  const [onFibers, fiberTime] = yield* timed(fiberPool.map(jobs, (n) => fib(n)))
  yield* Console.log(
    `FiberPool (${FIBERS} fibers): ${fiberTime.toFixed(2)}s — ${speedup(fiberTime)} (one thread: no speedup)`
  )

  // 3. The WorkerPool: the same calls, each on a worker thread, as many at once as there are workers
  const [onWorkers, workerTime] = yield* timed(workerPool.map(jobs, (n) => fib(n)))
  yield* Console.log(
    `WorkerPool (${threads(workerPool.concurrency)}): ${workerTime.toFixed(2)}s — ${speedup(workerTime)}`
  )

  yield* Console.log(`\nResults: ${onWorkers.join(", ")}`)
  const same = inline.join() === onFibers.join() && inline.join() === onWorkers.join()
  yield* Console.log(`Same results: ${same}`)

  // A typed failure raised on a worker arrives as itself: Schema-encoded there, decoded here
  const inlineFailure = yield* Effect.flip(fib(-1))
  const workerFailure = yield* Effect.flip(Effect.flatMap(workerPool.submit(fib(-1)), (future) => future.result))
  const describe = (error: { readonly _tag: string }) =>
    error instanceof NotNatural ? `${error._tag} (n = ${error.n})` : error._tag
  yield* Console.log(
    `\nfib(-1) fails ${describe(inlineFailure)} inline, ${describe(workerFailure)} on a worker — ` +
      `an instance of NotNatural: ${workerFailure instanceof NotNatural}`
  )
}))

NodeRuntime.runMain(
  withTimeline(program, { title: "08 · CPU-bound work: 8 × fib(32) on a FiberPool and on a WorkerPool" })
)
