/**
 * TaskManager throughput: 10,000 no-op tasks on 8 workers, on the memory store and on the
 * SQLite store (write-ahead log on, a fresh file per run). One run makes a manager, adds the
 * tasks one after another, waits for `join` and closes the manager (and the database). Then the
 * add phase alone: 10,000 adds while every worker holds a task that never ends.
 *
 * Each run's phases (make, add, run to `join`, close) are timed too; after the tables a line per
 * contender gives tasks/s (10,000 / median run) and the median of each phase.
 *
 * The adds are sequential, as from one producer: `Effect.forEach` at concurrency 8 was no faster
 * on the memory store and slower on SQLite (more fibers queue for its one connection), and
 * unbounded concurrency was slower on both.
 */
import { Report, type Suite } from "@fiberkit/bench"
import { SqliteStore, TaskManager, TaskStore } from "@fiberkit/tasks"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const TASKS = 10_000
const WORKERS = 8
const items = Array.from({ length: TASKS }, (_, i) => i)

const noop = TaskManager.define("noop", { args: Schema.Number, run: () => Effect.void })
const hold = TaskManager.define("hold", { args: Schema.Number, run: () => Effect.never })

// Every SQLite run gets a new file, so each starts from an empty table; all are deleted at exit.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-tasks-bench-"))
process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }))
let files = 0

type Store = () => Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>
const stores: ReadonlyArray<readonly [string, Store]> = [
  ["memory store", () => TaskStore.memory],
  ["SQLite store", () =>
    Effect.suspend(() =>
      Effect.map(
        Layer.build(SqliteStore.layer({ filename: path.join(dir, `run-${files++}.db`) })),
        Context.get(TaskStore.TaskStore)
      )
    )]
]

interface Phases {
  readonly make: Array<number>
  readonly add: Array<number>
  readonly run: Array<number>
  readonly close: Array<number>
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/**
 * One run: a manager with `task` on `store`, 10,000 adds one after another, then `join` (if the
 * task ends) and the close of the scope (the manager, then the database).
 */
const contender = (name: string, store: Store, task: typeof noop | typeof hold, phases: Map<string, Phases>) => {
  const own: Phases = { make: [], add: [], run: [], close: [] }
  phases.set(name, own)
  const program = (marks: Array<number>) =>
    Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks: [task], workers: WORKERS, store: yield* store() })
      marks.push(performance.now())
      let last = ""
      yield* Effect.forEach(items, (i) => Effect.map(manager.add(task, i), (id) => void (last = id)), { discard: true })
      marks.push(performance.now())
      if (task === noop) yield* manager.join
      marks.push(performance.now())
      const record = yield* manager.status(last)
      const expected = task === noop ? "succeeded" : "queued"
      if (record.state !== expected) throw new Error(`${name}: the last task is ${record.state}, not ${expected}`)
    })
  return {
    name,
    run: async () => {
      const marks = [performance.now()]
      await Effect.runPromise(Effect.scoped(program(marks)))
      marks.push(performance.now())
      own.make.push(marks[1]! - marks[0]!)
      own.add.push(marks[2]! - marks[1]!)
      own.run.push(marks[3]! - marks[2]!)
      own.close.push(marks[4]! - marks[3]!)
    }
  }
}

const throughputPhases = new Map<string, Phases>()
const addPhases = new Map<string, Phases>()

const suites: ReadonlyArray<Suite.Suite> = [
  {
    title: `${TASKS.toLocaleString("en")} no-op tasks on ${WORKERS} workers: add, run, join`,
    description: `A manager with ${WORKERS} workers and a task that returns \`Effect.void\`; ` +
      `${TASKS.toLocaleString("en")} \`add\`s one after another (the workers run tasks meanwhile), ` +
      "then `join`, then the manager's scope closes. The SQLite store opens a new file per run " +
      "(WAL): every add, start and end of a task is its own statement. Per operation = per task.",
    operations: TASKS,
    rounds: 3,
    contenders: stores.map(([name, store]) => contender(name, store, noop, throughputPhases))
  },
  {
    title: `${TASKS.toLocaleString("en")} adds while the ${WORKERS} workers are busy`,
    description: `The same manager, but its task never ends: the ${WORKERS} workers each hold one and the rest ` +
      "stay queued, so the run is the add phase alone (plus making and closing the manager, which puts the " +
      `${WORKERS} held tasks back in the queue). Per operation = per add.`,
    operations: TASKS,
    rounds: 3,
    contenders: stores.map(([name, store]) => contender(name, store, hold, addPhases))
  }
]

const results = await Report.main("packages/tasks/bench/tasks.bench.ts", suites)

const ms = (values: ReadonlyArray<number>) => `${median(values).toFixed(1)} ms`
const lines = [""]
const summaries = [[results[0]!, throughputPhases, "tasks"], [results[1]!, addPhases, "adds"]] as const
for (const [result, phases, unit] of summaries) {
  for (const row of result.rows) {
    const own = phases.get(row.name)!
    const rate = Math.round((TASKS / row.median) * 1000).toLocaleString("en")
    lines.push(
      `${result.suite.title}, ${row.name}: ${rate} ${unit}/s (phases, median: make ${ms(own.make)}, ` +
        `add ${ms(own.add)}${unit === "tasks" ? `, run to join ${ms(own.run)}` : ""}, close ${ms(own.close)})`
    )
  }
}
process.stdout.write(`${lines.join("\n")}\n`)
