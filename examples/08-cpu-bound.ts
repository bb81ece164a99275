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
 * The same job three ways: on the main fiber, on a FiberPool of 4 fibers (no faster: they take
 * turns on one thread), and on a WorkerPool (near linear in the cores). What runs on a worker is a
 * `WorkerTask` declared in a worker module, `workers/cpu.ts`, which the main thread imports too —
 * as a process pool's function must be importable by name. `fib(32)` is an effect: inline it
 * computes on this thread, `workerPool.map(jobs, (n) => fib(n))` sends it to the workers.
 *
 * Measured honestly: the pool is started (each worker loads the module) before any timing; the
 * job is sized on this machine to take about a second on one thread (as many fib(32) as that
 * takes, a multiple of the workers); every way runs once untimed to warm up (the JIT, here and in
 * each worker), then three rounds, each running the three ways; the median of each way is
 * printed, and the words beside it come from its figure. A task's typed failure crosses the
 * thread as itself.
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
const FIBERS = 4
const ROUNDS = 3
/** The sequential time the job is sized for, in seconds: a little over one, to time it well. */
const TARGET = 1.2

const threads = (n: number) => `${n} thread${n === 1 ? "" : "s"}`
const median = (values: ReadonlyArray<number>) => [...values].sort((a, b) => a - b)[values.length >> 1]!

/** Runs `effect` and returns its result with the seconds it took. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const result = yield* effect
    return [result, ((yield* Clock.currentTimeMillis) - start) / 1000] as const
  })

/** What a speedup means, in words that follow from the figure. */
const verdict = (speedup: number, threadCount: number) =>
  speedup < 0.87
    ? `slower than the main fiber (${threads(threadCount)})`
    : speedup < 1.15
    ? `no speedup (${threads(threadCount)})`
    : `faster (${threads(threadCount)})`

const program = Effect.scoped(Effect.gen(function*() {
  // The pool first, before any timing: every worker thread starts and loads workers/cpu.ts.
  // A `.js` URL whose `.ts` sibling exists runs the TypeScript source (through tsx).
  const [workerPool, startUp] = yield* timed(WorkerPool.make({ module: new URL("./workers/cpu.js", import.meta.url) }))
  const workers = workerPool.concurrency
  const fiberPool = yield* FiberPool.make({ concurrency: FIBERS })

  // Size the job: as many fib(N) as take about TARGET seconds on one thread, a multiple of the
  // workers (so that each worker gets the same share); fib(N) itself timed after a warm-up
  const one = yield* Effect.gen(function*() {
    const times: Array<number> = []
    for (let i = 0; i < 5; i++) times.push((yield* timed(fib(N)))[1])
    return Math.max(median(times), 0.001)
  })
  const count = Math.max(workers, Math.ceil(TARGET / one / workers) * workers)
  const jobs = Array.from({ length: count }, () => N)
  yield* Console.log(
    `The job: ${count} × fib(${N}), computed recursively — CPU-bound, nothing to wait for ` +
      `(sized to take about ${TARGET} s on one thread here: fib(${N}) takes ${(one * 1000).toFixed(0)} ms)`
  )
  yield* Console.log(
    `WorkerPool: ${threads(workers)} (os.availableParallelism() = ${os.availableParallelism()}), ` +
      `started in ${startUp.toFixed(2)}s — start-up not counted below`
  )

  // The three ways: 1. inline, each call computes on the main thread, one after another;
  // 2. a FiberPool, the same calls on 4 fibers, which share the main thread;
  // 3. the WorkerPool, each call on a worker thread, as many at once as there are workers
  const ways = [
    { name: "Main fiber", threads: 1, run: (all: Array<number>) => Effect.forEach(all, (n) => fib(n)) },
    {
      name: `FiberPool (${FIBERS} fibers)`,
      threads: 1,
      run: (all: Array<number>) => fiberPool.map(all, (n) => fib(n))
    },
    {
      name: `WorkerPool (${threads(workers)})`,
      threads: workers,
      run: (all: Array<number>) => workerPool.map(all, (n) => fib(n))
    }
  ] as const

  // A warm-up, untimed: a short job each way (the JIT compiles fib here and in every worker)
  for (const way of ways) yield* way.run(Array.from({ length: workers * 2 }, () => N))

  const seconds: Array<Array<number>> = ways.map(() => [])
  const results: Array<string> = []
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, way] of ways.entries()) {
      const [values, time] = yield* timed(way.run(jobs))
      seconds[i]!.push(time)
      results.push(values.join())
    }
  }
  const mainTime = median(seconds[0]!)
  yield* Console.log(`\nMedian of ${ROUNDS} rounds (each runs the three ways, in this order):`)
  for (const [i, way] of ways.entries()) {
    const time = median(seconds[i]!)
    const runs = seconds[i]!.map((s) => s.toFixed(2)).join(", ")
    const speedup = mainTime / time
    yield* Console.log(
      i === 0
        ? `${way.name}: ${time.toFixed(2)}s (runs: ${runs})`
        : `${way.name}: ${time.toFixed(2)}s (runs: ${runs}) — ${speedup.toFixed(2)}× the main fiber: ${
          verdict(speedup, way.threads)
        }`
    )
  }

  yield* Console.log(`\nResults: ${count} × ${results[0]!.split(",")[0]} (fib(${N}))`)
  yield* Console.log(`Same results every way and every round: ${results.every((r) => r === results[0])}`)

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
  withTimeline(program, { title: "08 · CPU-bound work: fib(32), many times, on a FiberPool and on a WorkerPool" })
)
