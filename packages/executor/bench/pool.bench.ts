/**
 * The thread-pool benchmarks: 100,000 tiny tasks at concurrency 16 through `FiberPool.map`,
 * `FiberPool.submit` + results, `Effect.forEach({ concurrency: 16 })`, p-limit and p-queue —
 * for tasks that do not suspend and for tasks that await a promise. Then two single
 * measurements: the guide's 4 downloads of 1 s on 4 workers (speedup), and the heap while
 * `mapStream` runs over 10,000 to 1,000,000 items (flat: memory does not grow with the input).
 */
import { Report } from "@fiberkit/bench"
import { FiberPool } from "@fiberkit/executor"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import pLimit from "p-limit"
import PQueue from "p-queue"

const TASKS = 100_000
const CONCURRENCY = 16
const items = Array.from({ length: TASKS }, (_, i) => i)
const work = (i: number): number => (i * 7) % 13

const scope = Effect.runSync(Scope.make())
const pool = Effect.runSync(Scope.provide(FiberPool.make({ concurrency: CONCURRENCY }), scope))

const suite = (kind: "sync" | "promise") => {
  const task = kind === "sync"
    ? (i: number) => Effect.sync(() => work(i))
    : (i: number) => Effect.promise(() => Promise.resolve(work(i)))
  const asyncTask = kind === "sync" ? async (i: number) => work(i) : async (i: number) => await Promise.resolve(work(i))
  return {
    title: `${TASKS.toLocaleString("en")} tiny tasks at concurrency ${CONCURRENCY}, tasks that ${
      kind === "sync" ? "do not suspend" : "await a promise"
    }`,
    description: kind === "sync"
      ? "Each task computes `(i * 7) % 13` (`Effect.sync` / an `async` function)."
      : "Each task awaits `Promise.resolve(…)` (`Effect.promise` / an `async` function).",
    operations: TASKS,
    reference: "FiberPool.map",
    rounds: 4,
    contenders: [
      { name: "FiberPool.map", run: () => Effect.runPromise(pool.map(items, task)) },
      {
        name: "FiberPool.submit + result",
        run: () =>
          Effect.runPromise(
            Effect.flatMap(Effect.forEach(items, (i) => pool.submit(task(i))), (futures) =>
              Effect.forEach(futures, (future) => future.result))
          )
      },
      {
        name: "Effect.forEach concurrency 16",
        run: () => Effect.runPromise(Effect.forEach(items, task, { concurrency: CONCURRENCY }))
      },
      {
        name: "p-limit",
        run: () => {
          const limit = pLimit(CONCURRENCY)
          return Promise.all(items.map((i) => limit(() => asyncTask(i))))
        }
      },
      {
        name: "p-queue",
        run: () => {
          const queue = new PQueue({ concurrency: CONCURRENCY })
          return Promise.all(items.map((i) => queue.add(() => asyncTask(i))))
        }
      }
    ]
  }
}

await Report.main("packages/executor/bench/pool.bench.ts", [suite("sync"), suite("promise")])

// The guide's download simulation: 4 tasks of 1 s on 4 workers, on the real clock.
const download = Effect.sleep("1 second")
const time = async (effect: Effect.Effect<unknown, unknown>) => {
  const start = performance.now()
  await Effect.runPromise(effect)
  return (performance.now() - start) / 1000
}
const sequential = await time(Effect.forEach([1, 2, 3, 4], () => download))
const concurrent = await time(
  Effect.scoped(Effect.flatMap(FiberPool.make({ concurrency: 4 }), (p) => p.map([1, 2, 3, 4], () => download)))
)
const speedup = `4 downloads of 1 s: sequential ${sequential.toFixed(3)}s, FiberPool(4) ${concurrent.toFixed(3)}s, ` +
  `speedup ${(sequential / concurrent).toFixed(3)}x`
process.stdout.write(`\n${speedup}\n`)

// mapStream's memory: the peak heap used, sampled every 5 ms while it runs (after a GC).
const gc = (globalThis as { gc?: () => void }).gc
const heapDuring = async (n: number) => {
  gc?.()
  let peak = process.memoryUsage().heapUsed
  const sampler = setInterval(() => void (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5)
  await Effect.runPromise(
    Stream.runDrain(pool.mapStream(Stream.range(1, n), (i) => Effect.promise(() => Promise.resolve(work(i)))))
  )
  clearInterval(sampler)
  return peak
}
const heap: Array<string> = []
for (const n of [10_000, 100_000, 1_000_000]) {
  heap.push(`${n.toLocaleString("en")} items: ${(await heapDuring(n) / 2 ** 20).toFixed(1)} MiB`)
}
const memory = `mapStream peak heap used: ${heap.join(", ")}`
process.stdout.write(`${memory}\n`)
await Effect.runPromise(Scope.close(scope, Effect.runSync(Effect.exit(Effect.void))))
