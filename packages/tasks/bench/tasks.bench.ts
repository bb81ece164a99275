/**
 * TaskManager throughput: 10,000 no-op tasks on 8 workers, on the memory store and on the
 * SQLite store (write-ahead log on, a fresh file per run). One run makes a manager, adds the
 * tasks, waits for `join` and closes the manager (and the database). Then the add phase alone:
 * 10,000 adds while every worker holds a task that never ends.
 *
 * `add` takes one task, so the adds are made two ways: one after another (a single producer
 * waiting for each add) and with `Effect.forEach` at concurrency 8 (producers that do not wait
 * for one another). The SQLite store commits the writes of one event-loop turn together, so a
 * single producer gets a commit per add, while concurrent adds share commits.
 *
 * Each run's phases (make, add, run to `join`, close) are timed too; after the tables a line per
 * contender gives tasks/s (10,000 / median run) and the median of each phase.
 */
import { Report, type Suite } from "@fiberkit/bench"
import { TaskManager } from "@fiberkit/tasks"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import * as Schema from "effect/Schema"
import { items, median, noop, type Store, stores, TASKS, WORKERS } from "./shared.js"

const ADD_CONCURRENCY = 8

const hold = TaskManager.define("hold", { args: Schema.Number, run: () => Effect.never })

interface Phases {
  readonly make: Array<number>
  readonly add: Array<number>
  readonly run: Array<number>
  readonly close: Array<number>
}

const modes: ReadonlyArray<readonly [string, number]> = [
  ["sequential adds", 1],
  [`adds at concurrency ${ADD_CONCURRENCY}`, ADD_CONCURRENCY],
  ["one addAll", 0] // 0: every task in one `addAll`
]

/**
 * One run: a manager with `task` on `store`, 10,000 adds (`concurrency` at a time), then `join`
 * (if the task ends) and the close of the scope (the manager, then the database).
 */
const contender = (
  name: string,
  store: Store,
  concurrency: number,
  task: typeof noop | typeof hold,
  phases: Map<string, Phases>
) => {
  const own: Phases = { make: [], add: [], run: [], close: [] }
  phases.set(name, own)
  const program = (marks: Array<number>) =>
    Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks: [task], concurrency: WORKERS, store: yield* store() })
      marks.push(performance.now())
      let last = ""
      if (concurrency === 0) {
        last = (yield* manager.addAll(task, items)).at(-1)!
      } else {
        yield* Effect.forEach(
          items,
          (i) => Effect.map(manager.add(task, i), (id) => void (i === TASKS - 1 && (last = id))),
          { concurrency, discard: true }
        )
      }
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

const contenders = (task: typeof noop | typeof hold, phases: Map<string, Phases>) =>
  stores.flatMap(([storeName, store]) =>
    modes.map(([modeName, concurrency]) => contender(`${storeName}, ${modeName}`, store, concurrency, task, phases))
  )

/**
 * The floor: the same 10,000 no-op effects through a bare Effect `Queue` taken by the same number
 * of fibers, added one after another — no record, no state, no outcome.
 */
const bareQueue = {
  name: `bare Queue, ${WORKERS} fibers (floor)`,
  run: () =>
    Effect.runPromise(Effect.gen(function*() {
      const queue = yield* Queue.unbounded<number>()
      const done = yield* Deferred.make<void>()
      let left = TASKS
      const run = (i: number) =>
        Effect.andThen(noop.run(i), Effect.sync(() => void (--left === 0 && Deferred.doneUnsafe(done, Effect.void))))
      const worker = Effect.forever(Effect.flatMap(Queue.take(queue), run), { disableYield: true })
      const fibers: Array<Fiber.Fiber<never>> = []
      for (let w = 0; w < WORKERS; w++) fibers.push(yield* Effect.forkChild(worker))
      for (const i of items) yield* Queue.offer(queue, i)
      yield* Deferred.await(done)
      yield* Fiber.interruptAll(fibers)
    }))
}

const throughputPhases = new Map<string, Phases>()
const addPhases = new Map<string, Phases>()

const suites: ReadonlyArray<Suite.Suite> = [
  {
    title: `${TASKS.toLocaleString("en")} no-op tasks on ${WORKERS} workers: add, run, join`,
    description: `A manager with ${WORKERS} workers and a task that returns \`Effect.void\`; ` +
      `${
        TASKS.toLocaleString("en")
      } \`add\`s, one after another or ${ADD_CONCURRENCY} at a time, or one \`addAll\` (the workers ` +
      "run tasks meanwhile), then `join`, then the manager's scope closes. The SQLite store opens a new file " +
      "per run (WAL); every add, start and end of a task is a write. The floor runs the same no-op effects " +
      `through a bare Effect \`Queue\` and ${WORKERS} fibers. Per operation = per task.`,
    operations: TASKS,
    rounds: 3,
    reference: "memory store, sequential adds",
    contenders: [...contenders(noop, throughputPhases), bareQueue]
  },
  {
    title: `${TASKS.toLocaleString("en")} adds while the ${WORKERS} workers are busy`,
    description: `The same manager, but its task never ends: the ${WORKERS} workers each hold one and the rest ` +
      "stay queued, so the run is the add phase alone (plus making and closing the manager, which puts the " +
      `${WORKERS} held tasks back in the queue). Per operation = per add.`,
    operations: TASKS,
    rounds: 3,
    contenders: contenders(hold, addPhases)
  }
]

const results = await Report.main("packages/tasks/bench/tasks.bench.ts", suites)

const ms = (values: ReadonlyArray<number>) => `${median(values).toFixed(1)} ms`
const lines = [""]
const summaries = [[results[0]!, throughputPhases, "tasks"], [results[1]!, addPhases, "adds"]] as const
for (const [result, phases, unit] of summaries) {
  for (const row of result.rows) {
    const own = phases.get(row.name)
    if (own === undefined) continue
    const rate = Math.round((TASKS / row.median) * 1000).toLocaleString("en")
    lines.push(
      `${result.suite.title}, ${row.name}: ${rate} ${unit}/s (phases, median: make ${ms(own.make)}, ` +
        `add ${ms(own.add)}${unit === "tasks" ? `, run to join ${ms(own.run)}` : ""}, close ${ms(own.close)})`
    )
  }
}
process.stdout.write(`${lines.join("\n")}\n`)
