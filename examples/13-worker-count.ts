/**
 * Choose optimal thread count — the worker count of a FiberPool for I/O-bound work.
 *
 * The same I/O-bound job, 64 tasks that each wait 10 ms (a network call, say), on pools of 1,
 * 4, 16 and 64 workers: each task mostly waits, so the time falls with every worker added, down
 * to one wait when every task has its own worker. The guide's default for I/O-bound pools is
 * `min(32, os.cpu_count() + 4)`; `FiberPool.make()` uses the same, `FiberPool.defaultConcurrency()`.
 * For network requests the guide suggests `min(50, len(urls))`. Fibers are cheap, so for pure
 * waiting more workers cost little; the limit protects what the tasks call (a server, a pool of
 * connections). CPU-bound work does not speed up this way: fibers share one thread.
 *
 * `--timeline FILE.svg` draws the five pools in FILE.svg, one row per worker; `--chart` prints the
 * same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/13-worker-count.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberkit/executor"
import { Clock, Console, Effect } from "effect"
import * as os from "node:os"
import { withTimeline } from "./timeline.js"

const TASKS = 64
const WAIT_MS = 10

const ioBoundTask = (i: number) => Effect.as(Effect.sleep(`${WAIT_MS} millis`), i)
const data = Array.from({ length: TASKS }, (_, i) => i)

/** Runs the job on a pool of `concurrency` and returns the seconds it took. */
const runOn = (concurrency?: number) =>
  Effect.scoped(Effect.gen(function*() {
    const pool = yield* FiberPool.make({ concurrency })
    const start = yield* Clock.currentTimeMillis
    yield* pool.map(data, ioBoundTask)
    return ((yield* Clock.currentTimeMillis) - start) / 1000
  }))

const workers = (n: number) => `${n} worker${n === 1 ? "" : "s"}`

const program = Effect.gen(function*() {
  yield* Console.log(`${TASKS} I/O-bound tasks of ${WAIT_MS} ms each:`)
  for (const n of [1, 4, 16, 64]) {
    const elapsed = yield* runOn(n)
    const rounds = Math.ceil(TASKS / n)
    yield* Console.log(
      `${workers(n)}: ${elapsed.toFixed(2)}s (${rounds} round${rounds === 1 ? "" : "s"} of ${WAIT_MS} ms)`
    )
  }

  // The guide's optimal_threads for I/O-bound tasks: min(32, (os.cpu_count() or 1) + 4)
  const cpus = os.availableParallelism()
  const optimal = FiberPool.defaultConcurrency()
  yield* Console.log(`\nFiberPool.defaultConcurrency() = min(32, ${cpus} cpus + 4) = ${optimal}`)
  const elapsed = yield* runOn() // FiberPool.make() with no concurrency uses the default
  yield* Console.log(`Default pool (${workers(optimal)}): ${elapsed.toFixed(2)}s`)
})

NodeRuntime.runMain(
  withTimeline(program, {
    title: "13 · Choose optimal thread count: 64 tasks of 10 ms on 1, 4, 16, 64 and the default"
  })
)
