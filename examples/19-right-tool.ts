/**
 * Choose the right tool — I/O-bound and CPU-bound jobs on a FiberPool and a WorkerPool.
 *
 * The guide's first best practice, and its "When to Use Threading": I/O-bound tasks — web
 * scraping and API calls, file operations and database queries, network requests and downloads,
 * a responsive user interface — go to a `ThreadPoolExecutor`; CPU-bound tasks — mathematical
 * calculations, image and video processing, data analysis — do not: "use multiprocessing
 * instead", a `ProcessPoolExecutor`. In fiberkit the first is a `FiberPool` (fibers, on the one
 * JavaScript thread), the second a `WorkerPool` (Node `worker_threads`, one per core).
 *
 * Why, measured: 8 jobs of each kind, run through the same `Executor` interface on both pools —
 * a FiberPool of 8 fibers and a WorkerPool of one thread per core — timed, and with the most
 * jobs that ran at once counted. An I/O-bound job waits 100 ms and computes nothing: the
 * FiberPool's 8 fibers all wait at once (about 8×), the WorkerPool runs only as many at once as
 * it has threads. A CPU-bound job computes fib(32) and waits for nothing: on the FiberPool one
 * job computes at a time, the fibers taking turns on one thread (about 1×, no gain); the
 * WorkerPool's threads compute in parallel (about the number of cores, less on a busy machine).
 * The jobs are `WorkerTask`s declared in `workers/jobs.ts`: on a FiberPool they run on the main
 * thread, on a WorkerPool on its threads. The WorkerPool is started before the clock starts.
 *
 * `--timeline FILE.svg` draws both pools in FILE.svg, one row per worker: the I/O jobs side by
 * side on the 8 fibers, the CPU jobs one after another on them, and on the WorkerPool as many
 * side by side as it has threads; `--chart` prints the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/19-right-tool.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import type { Executor } from "@fiberkit/executor"
import { FiberPool, WorkerPool } from "@fiberkit/executor"
import { Clock, Console, Effect } from "effect"
import * as os from "node:os"
import { withTimeline } from "./timeline.js"
import { compute, wait } from "./workers/jobs.js"

const JOBS = 8
const WAIT_MILLIS = 100
const FIB = 32
/** A worker thread per core, as `ProcessPoolExecutor()` starts a process per CPU. */
const CORES = os.availableParallelism()

/** Runs `effect` and returns its result with the seconds it took. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const result = yield* effect
    return [result, ((yield* Clock.currentTimeMillis) - start) / 1000] as const
  })

const threads = (n: number) => `${n} thread${n === 1 ? "" : "s"}`

const program = Effect.scoped(Effect.gen(function*() {
  const [workerPool, startUp] = yield* timed(
    WorkerPool.make({
      module: new URL("./workers/jobs.js", import.meta.url),
      concurrency: CORES,
      name: `of ${threads(CORES)}`
    })
  )
  const fiberPool = yield* FiberPool.make({ concurrency: JOBS, name: `of ${JOBS} fibers` })
  const pools: ReadonlyArray<readonly [string, Executor.Executor]> = [
    [`FiberPool (${JOBS} fibers):`, fiberPool],
    [`WorkerPool (${threads(CORES)}):`, workerPool]
  ]
  yield* Console.log(
    `${JOBS} jobs of each kind on a FiberPool of ${JOBS} fibers and a WorkerPool of ${threads(CORES)} ` +
      `(os.availableParallelism() = ${CORES}; started in ${startUp.toFixed(2)}s, not counted)`
  )

  /**
   * Runs the jobs on each pool; prints and returns each pool's speedup over `oneByOne` seconds,
   * and the most jobs that ran at once (a CPU-bound job on a fiber never lets another one start).
   */
  const onEachPool = (job: (payload: number) => Effect.Effect<number, unknown>, payload: number, oneByOne: number) =>
    Effect.forEach(pools, ([label, pool]) =>
      Effect.gen(function*() {
        let running = 0
        let atOnce = 0
        const counted = Effect.suspend(() => {
          atOnce = Math.max(atOnce, ++running)
          return job(payload)
        }).pipe(Effect.ensuring(Effect.sync(() => running--)))
        const [, seconds] = yield* timed(pool.map(Array.from({ length: JOBS }), () => counted))
        const speedup = oneByOne / seconds
        yield* Console.log(`  ${label.padEnd(24)} ${seconds.toFixed(2)}s — ${speedup.toFixed(2)}×, ${atOnce} at once`)
        return { speedup: speedup.toFixed(2), atOnce }
      }))

  // I/O-bound: one after another the jobs take their waits added up
  const ioOneByOne = (JOBS * WAIT_MILLIS) / 1000
  yield* Console.log(
    `\nI/O-bound: ${JOBS} jobs that each wait ${WAIT_MILLIS} ms (a request, a query), ` +
      `one after another ${ioOneByOne.toFixed(2)}s`
  )
  const [ioFibers, ioThreads] = yield* onEachPool(wait, WAIT_MILLIS, ioOneByOne)

  // CPU-bound: one after another, measured on the main fiber. Every thread first computes a
  // smaller fib, not counted, so that none of the runs below pays for compiling slowFib.
  yield* Effect.zip(compute(25), workerPool.map(Array.from({ length: CORES }, () => 25), (n) => compute(n)))
  const [, cpuOneByOne] = yield* timed(Effect.forEach(Array.from({ length: JOBS }, () => FIB), (n) => compute(n)))
  yield* Console.log(
    `\nCPU-bound: ${JOBS} jobs that each compute fib(${FIB}) (math, images, analysis), ` +
      `one after another ${cpuOneByOne.toFixed(2)}s`
  )
  const [cpuFibers, cpuThreads] = yield* onEachPool(compute, FIB, cpuOneByOne)

  yield* Console.log(
    `\nI/O-bound → FiberPool: its ${JOBS} fibers wait ${ioFibers!.atOnce} at once (${ioFibers!.speedup}×); ` +
      `the WorkerPool's ${threads(CORES)} take ${ioThreads!.atOnce} at a time (${ioThreads!.speedup}×)`
  )
  yield* Console.log(
    `CPU-bound → WorkerPool: its ${threads(CORES)} compute ${cpuThreads!.atOnce} at once (${cpuThreads!.speedup}×); ` +
      `the FiberPool's fibers compute ${cpuFibers!.atOnce} at a time on the one thread (${cpuFibers!.speedup}×)`
  )
  if (CORES >= 2 && Number(cpuThreads!.speedup) < 0.75 * CORES) {
    yield* Console.log(
      `(Less than ${CORES} cores can give: other programs are busy on them — load average ${
        os.loadavg()[0]!.toFixed(1)
      })`
    )
  }
}))

NodeRuntime.runMain(
  withTimeline(program, {
    title: "19 · Choose the right tool: I/O-bound and CPU-bound jobs on a FiberPool and a WorkerPool"
  })
)
