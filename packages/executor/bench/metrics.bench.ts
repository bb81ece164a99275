/**
 * What metrics cost a pool (`@fiberkit/sync`'s `Telemetry`): 100,000 tiny tasks at concurrency 16
 * through two pools made alike, one with metrics on (`Telemetry.layer()`) and one without, in the
 * same process, interleaved — `FiberPool.submit` + results and `FiberPool.map`.
 */
import { Report } from "@fiberkit/bench"
import { FiberPool } from "@fiberkit/executor"
import { Telemetry } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"

const TASKS = 100_000
const CONCURRENCY = 16
const items = Array.from({ length: TASKS }, (_, i) => i)
const task = (i: number) => Effect.sync(() => (i * 7) % 13)

const scope = Effect.runSync(Scope.make())
const plain = Effect.runSync(Scope.provide(FiberPool.make({ concurrency: CONCURRENCY, name: "plain" }), scope))
const metered = Effect.runSync(
  Scope.provide(FiberPool.make({ concurrency: CONCURRENCY, name: "metered" }), scope).pipe(
    Effect.provide(Telemetry.layer())
  )
)

const submitAll = (pool: FiberPool.FiberPool) => () =>
  Effect.runPromise(
    Effect.flatMap(Effect.forEach(items, (i) => pool.submit(task(i))), (futures) =>
      Effect.forEach(futures, (future) => future.result, { discard: true }))
  )

await Report.main("packages/executor/bench/metrics.bench.ts", [
  {
    title: `metrics on and off: ${TASKS.toLocaleString("en")} tiny tasks, FiberPool.submit + result`,
    description: "Two pools of concurrency 16, one made under `Telemetry.layer()`; each task computes a number.",
    operations: TASKS,
    reference: "metrics off",
    rounds: 9,
    contenders: [
      { name: "metrics off", run: submitAll(plain) },
      { name: "metrics on", run: submitAll(metered) }
    ]
  },
  {
    title: `metrics on and off: ${TASKS.toLocaleString("en")} tiny tasks, FiberPool.map`,
    description: "The same pools; `map` runs the items in lanes (a lane is one job to the metrics).",
    operations: TASKS,
    reference: "metrics off",
    rounds: 9,
    contenders: [
      { name: "metrics off", run: () => Effect.runPromise(plain.map(items, task)) },
      { name: "metrics on", run: () => Effect.runPromise(metered.map(items, task)) }
    ]
  }
])
