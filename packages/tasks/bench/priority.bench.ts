/**
 * Priorities (issue 25): 10,000 tasks with priorities 0–9 on 8 workers, through a `TaskManager`
 * on the memory store (`add(task, args, { priority })`) and through p-queue (`add(fn, { priority
 * })`), each also without priorities — what the ranked line costs. Two ways:
 *
 * - added one after another while the workers run (each run makes the manager, adds, joins and
 *   closes it; p-queue: `add` each, then `onIdle`);
 * - all queued first, then run: the manager's 8 workers each hold a task until the 10,000 are in
 *   its line (p-queue: `autoStart: false`, then `start`) — the line at its longest.
 *
 * - the memory store alone, without a manager: 10,000 `add`s, then 10,000 `take`s, each
 *   `finish`ed — the line and the records, no fiber per task, no outcome published; against
 *   p-queue queued first.
 *
 * A check after each run: every task ran, and in the queued-first case in priority order (give or
 * take the tasks the workers hold at once).
 */
import { Report, type Suite } from "@fiberkit/bench"
import { TaskManager, TaskStore } from "@fiberkit/tasks"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import PQueue from "p-queue"
import { items, TASKS, WORKERS } from "./shared.js"

const priorityOf = (i: number) => (i * 7) % 10

/** The priorities the tasks ran with, in the order they ran: checked after each run. */
let ran: Array<number> = []
const record = (priority: number) => void ran.push(priority)

const job = TaskManager.define("job", {
  args: Schema.Number,
  run: (priority) => Effect.sync(() => record(priority))
})

const check = (queuedFirst: boolean, prioritised: boolean) => () => {
  if (ran.length !== TASKS) throw new Error(`${ran.length} tasks ran, not ${TASKS}`)
  // (the workers' tasks run in any order once taken: a task may run before one of the WORKERS taken just before it)
  let lowest = Infinity
  for (let i = WORKERS; queuedFirst && prioritised && i < ran.length; i++) {
    lowest = Math.min(lowest, ran[i - WORKERS]!)
    if (ran[i]! > lowest) throw new Error(`priority ${ran[i]} ran after ${lowest}`)
  }
  ran = []
}

/**
 * A manager on the memory store: 10,000 adds, then `join`. `queuedFirst`: its workers each hold a
 * task (`held`) until the adds are done.
 */
const manager = (queuedFirst: boolean, prioritised: boolean): Suite.Contender => ({
  name: `TaskManager, memory store${prioritised ? ", priority" : ", no priority"}`,
  run: () =>
    Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let holding = 0
      const held = TaskManager.define("hold", {
        args: Schema.Void,
        run: () => Effect.andThen(Effect.sync(() => holding++), Deferred.await(gate))
      })
      const manager = yield* TaskManager.make({
        tasks: [job, held],
        concurrency: WORKERS,
        store: yield* TaskStore.memory
      })
      if (queuedFirst) {
        yield* manager.addAll(held, Array.from({ length: WORKERS }, () => undefined))
        yield* Effect.repeat(Effect.yieldNow, { until: () => holding === WORKERS })
      }
      for (const i of items) {
        const priority = priorityOf(i)
        yield* manager.add(job, priority, prioritised ? { priority } : undefined)
      }
      yield* Deferred.succeed(gate, undefined)
      yield* manager.join
    }))),
  afterEach: check(queuedFirst, prioritised)
})

const pQueue = (queuedFirst: boolean, prioritised: boolean): Suite.Contender => ({
  name: `p-queue${prioritised ? ", priority" : ", no priority"}`,
  run: async () => {
    const queue = new PQueue({ concurrency: WORKERS, autoStart: !queuedFirst })
    for (const i of items) {
      const priority = priorityOf(i)
      void queue.add(async () => record(priority), prioritised ? { priority } : undefined)
    }
    if (queuedFirst) queue.start()
    await queue.onIdle()
  },
  afterEach: check(queuedFirst, prioritised)
})

/** The memory store's own line: every task added, then taken and finished, in one fiber. */
const storeAlone = (prioritised: boolean): Suite.Contender => ({
  name: `memory store alone${prioritised ? ", priority" : ", no priority"}`,
  run: () =>
    Effect.runPromise(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      for (const i of items) {
        const priority = priorityOf(i)
        yield* store.add([{
          id: `t${i}`,
          name: "job",
          args: priority,
          priority: prioritised ? priority : 0,
          addedAt: 0
        }])
      }
      for (let n = 0; n < TASKS; n++) {
        const task = yield* store.take
        record(task.args as number)
        yield* store.finish(task.id, { state: "succeeded", at: 0 })
      }
    })),
  afterEach: check(true, prioritised)
})

const suite = (queuedFirst: boolean): Suite.Suite => ({
  title: `${TASKS.toLocaleString("en")} tasks with priorities 0–9 on ${WORKERS} workers, ${
    queuedFirst ? "all queued first, then run" : "added while the workers run"
  }`,
  description: queuedFirst
    ? `The ${WORKERS} workers are held until every task is in line (p-queue: \`autoStart: false\`); ` +
      "then the line is drained, highest priority first. Per operation = per task."
    : "Tasks added one after another (a manager made, 10,000 `add`s, `join`, closed; p-queue: `add` each, " +
      "`onIdle`). Per operation = per task.",
  operations: TASKS,
  reference: "TaskManager, memory store, priority",
  rounds: 6,
  contenders: [
    manager(queuedFirst, true),
    pQueue(queuedFirst, true),
    manager(queuedFirst, false),
    pQueue(queuedFirst, false)
  ]
})

const alone: Suite.Suite = {
  title: `The memory store alone: ${TASKS.toLocaleString("en")} adds with priorities 0–9, then as many takes`,
  description: "No manager: `store.add` one task at a time, then `store.take` and `store.finish` each, in one " +
    "fiber — the store's line and records only. p-queue: queued first, then run, as above. Per operation = per task.",
  operations: TASKS,
  reference: "memory store alone, priority",
  rounds: 6,
  contenders: [storeAlone(true), pQueue(true, true), storeAlone(false), pQueue(true, false)]
}

await Report.main("packages/tasks/bench/priority.bench.ts", [suite(false), suite(true), alone])
