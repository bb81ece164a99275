/**
 * What the dashboard costs the program it shows: the same work through instances made without
 * it (off: no recorder, no metrics — what every program pays by default) and under
 * `Dashboard.layer` (on: its server listening, Telemetry on and its recorder taking every task),
 * in the same process, interleaved. No page is open: a page's snapshots are read by the server's
 * own fibers every `every` (500 ms), not by the tasks.
 */
import { Report } from "@fiberkit/bench"
import { Dashboard } from "@fiberkit/dashboard"
import { FiberPool } from "@fiberkit/executor"
import { TaskManager, TaskStore } from "@fiberkit/tasks"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"

const TASKS = 100_000
const JOBS = 10_000
const items = Array.from({ length: TASKS }, (_, i) => i)
const task = (i: number) => Effect.sync(() => (i * 7) % 13)

const scope = Effect.runSync(Scope.make())
const shown = await Effect.runPromise(Layer.buildWithScope(Dashboard.layer({ port: 0 }), scope))
const under = <A, E>(effect: Effect.Effect<A, E, Scope.Scope>, on: boolean) =>
  Effect.runPromise(Scope.provide(on ? Effect.provideContext(effect, shown) : effect, scope))

const plain = await under(FiberPool.make({ concurrency: 16, name: "off" }), false)
const watched = await under(FiberPool.make({ concurrency: 16, name: "on" }), true)

const submitAll = (pool: FiberPool.FiberPool) => () =>
  Effect.runPromise(
    Effect.flatMap(Effect.forEach(items, (i) => pool.submit(task(i))), (futures) =>
      Effect.forEach(futures, (future) => future.result, { discard: true }))
  )

const job = TaskManager.define("job", { args: Schema.Number, run: (n) => Effect.sync(() => (n * 7) % 13) })
const managerOf = (on: boolean) =>
  under(
    TaskManager.make({ tasks: [job], concurrency: 16, name: on ? "on" : "off" }).pipe(
      Effect.provide(TaskStore.layerMemory)
    ),
    on
  )
const quiet = await managerOf(false)
const shownManager = await managerOf(true)
const jobs = Array.from({ length: JOBS }, (_, i) => i)
const addAndJoin = (manager: typeof quiet) => () =>
  Effect.runPromise(Effect.andThen(manager.addAll(job, jobs), manager.join))

await Report.main("packages/dashboard/bench/dashboard.bench.ts", [
  {
    title: `dashboard off and on: ${TASKS.toLocaleString("en")} tiny tasks, FiberPool.submit + result`,
    description: "Two pools of concurrency 16, one made under `Dashboard.layer` (server listening, no page open).",
    operations: TASKS,
    reference: "dashboard off",
    rounds: 9,
    contenders: [
      { name: "dashboard off", run: submitAll(plain) },
      { name: "dashboard on", run: submitAll(watched) }
    ]
  },
  {
    title: `dashboard off and on: ${JOBS.toLocaleString("en")} tasks of a TaskManager (memory store), addAll + join`,
    description: "Two managers of concurrency 16, one made under `Dashboard.layer`.",
    operations: JOBS,
    reference: "dashboard off",
    rounds: 9,
    contenders: [
      { name: "dashboard off", run: addAndJoin(quiet) },
      { name: "dashboard on", run: addAndJoin(shownManager) }
    ]
  }
])

await Effect.runPromise(Scope.close(scope, Exit.void))
