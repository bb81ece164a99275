/**
 * Thread pool executor — FiberPool.map, Python's ThreadPoolExecutor.map.
 *
 * The guide's download simulation: four "downloads", first one after another, then on a pool
 * of 4 workers (`with ThreadPoolExecutor(max_workers=4) as executor:` becomes
 * `FiberPool.make({ concurrency: 4 })` inside `Effect.scoped`, which shuts the pool down when
 * the block ends). A download takes 0.25 s here, a quarter of the guide's 1 s, so that the tour
 * stays short: 1 s one after another, and the pool runs the four at once, in about 0.25 s — a
 * speedup near 4x. `pool.map` returns the results in input order, as `executor.map` does.
 *
 * `--timeline FILE.svg` draws the pool's tasks, one row per worker, in FILE.svg; `--chart` prints
 * the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/06-thread-pool.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberkit/executor"
import { Clock, Console, Effect } from "effect"
import { withTimeline } from "./timeline.js"

/** Simulates downloading from a URL. */
const downloadSimulation = (url: string) =>
  Effect.gen(function*() {
    yield* Console.log(`Downloading ${url}...`)
    yield* Effect.sleep("250 millis") // simulate network delay
    return `Content from ${url}`
  })

const urls = ["site1.com", "site2.com", "site3.com", "site4.com"]

/** Runs `effect` and returns its result with the seconds it took. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const result = yield* effect
    return [result, ((yield* Clock.currentTimeMillis) - start) / 1000] as const
  })

const program = Effect.gen(function*() {
  // Sequential execution (slow)
  yield* Console.log("One after another:")
  const [results, sequentialTime] = yield* timed(Effect.forEach(urls, downloadSimulation))

  // Concurrent execution (faster): the pool lives, and is shut down, within Effect.scoped
  yield* Console.log("\nOn a pool of 4 workers:")
  const [concurrentResults, concurrentTime] = yield* timed(Effect.scoped(Effect.gen(function*() {
    const pool = yield* FiberPool.make({ concurrency: 4 })
    return yield* pool.map(urls, downloadSimulation)
  })))

  yield* Console.log(`\nResults, in input order: ${concurrentResults.join(", ")}`)
  yield* Console.log(`Same results both ways: ${concurrentResults.join() === results.join()}`)
  yield* Console.log(`Sequential: ${sequentialTime.toFixed(2)}s`)
  yield* Console.log(`Concurrent: ${concurrentTime.toFixed(2)}s`)
  yield* Console.log(`Speedup: ${(sequentialTime / concurrentTime).toFixed(2)}x`)
})

NodeRuntime.runMain(
  withTimeline(program, { title: "06 · Thread pool executor: 4 downloads on FiberPool.make({ concurrency: 4 })" })
)
