/**
 * Steering a worker pool (issue 25): the same 2,000 small calls (each returns its argument) on 2
 * worker threads through a `WorkerPool` and piscina, each with the control in use.
 *
 * - priorities: every call submitted at once with a priority from 0 to 9. piscina has no
 *   priorities of its own; its documented way is a custom `taskQueue`, here a binary heap by
 *   priority then arrival, written for this benchmark;
 * - bounded submission: a producer that never lets more than 100 wait (`maxPending: 100` with
 *   `onFull: "wait"`; piscina: `maxQueue: 100`, the producer awaiting the oldest result while the
 *   queue is full);
 * - load shedding: all 2,000 at once with at most 100 waiting, the rest refused (`onFull: "fail"`;
 *   piscina's `maxQueue: 100` rejects the task);
 * - resize: from 1 thread to 2 after the first 500 calls (`resize`, which waits for the new
 *   thread). Neither piscina, tinypool nor workerpool can change their thread count at run time,
 *   so the reference is the pool with 2 threads from the start.
 *
 * The pools start before the suites (start-up is not measured) and end after them.
 */
import { Report } from "@fiberkit/bench"
import { WorkerPool } from "@fiberkit/executor"
import { Heap } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scheduler from "effect/Scheduler"
import * as Scope from "effect/Scope"
import { Piscina } from "piscina"
import { echo } from "./workers/fib.js"

const THREADS = 2
const CALLS = 2_000
const BOUND = 100
const items = Array.from({ length: CALLS }, (_, i) => i)
const priorityOf = (i: number) => (i * 7) % 10

/** A piscina task with its queue options: piscina reads them through `queueOptionsSymbol`. */
interface QueuedTask {
  readonly [key: symbol]: { readonly priority: number; readonly seq: number } | null
}

const options = (task: QueuedTask) => task[Piscina.queueOptionsSymbol]!

/** piscina's `TaskQueue` on sync's binary heap: higher priority first, then arrival order. */
class PriorityTaskQueue {
  private readonly heap = new Heap.Heap<QueuedTask>((a, b) => {
    const x = options(a)
    const y = options(b)
    return x.priority > y.priority || (x.priority === y.priority && x.seq < y.seq)
  })

  get size(): number {
    return this.heap.length
  }

  push(task: QueuedTask): void {
    this.heap.push(task)
  }

  shift(): QueuedTask | null {
    return this.heap.length === 0 ? null : this.heap.shift()
  }

  /** A task given up before it ran (piscina's abort): rare, so the heap is rebuilt. */
  remove(task: QueuedTask): void {
    const rest = [...this.heap].filter((each) => each !== task)
    this.heap.clear()
    for (const each of rest) this.heap.push(each)
  }
}

const worker = new URL("./workers/piscina.mjs", import.meta.url).href
const piscina = (extra: Record<string, unknown>) =>
  new Piscina({ filename: worker, minThreads: THREADS, maxThreads: THREADS, ...extra })

const scope = Effect.runSync(Scope.make())
const module = new URL("./workers/fib.js", import.meta.url)
const start = <A>(make: Effect.Effect<A, unknown, Scope.Scope>) => Effect.runPromise(Scope.provide(make, scope))
const plain = await start(WorkerPool.make({ module, concurrency: THREADS }))
const waits = await start(WorkerPool.make({ module, concurrency: THREADS, maxPending: BOUND }))
const fails = await start(WorkerPool.make({ module, concurrency: THREADS, maxPending: BOUND, onFull: "fail" }))
const resizable = await start(WorkerPool.make({ module, concurrency: 1 }))
const fifo = piscina({})
const ranked = piscina({ taskQueue: new PriorityTaskQueue() })
const bounded = piscina({ maxQueue: BOUND })

// Every pool answers once before the suites, so that its threads are up and its worker module loaded.
await Promise.all([
  ...[plain, waits, fails, resizable].map((pool) => Effect.runPromise(pool.map([1, 2], (n) => echo(n)))),
  ...[fifo, ranked, bounded].map((pool) => Promise.all([1, 2].map((n) => pool.run(n, { name: "echo" }))))
])

/**
 * Submits every call, waits until the pool is idle, then reads the results (settled by then): the
 * wait is the same whatever order the calls end in, as piscina's `Promise.all`.
 */
const submitAll = (pool: WorkerPool.WorkerPool<unknown>, priority?: (i: number) => number) =>
  Effect.runPromise(Effect.gen(function*() {
    const futures = yield* Effect.forEach(
      items,
      (i) => pool.submit(echo(i), priority === undefined ? undefined : { priority: priority(i) })
    )
    yield* pool.awaitIdle
    return yield* Effect.forEach(futures, (future) => future.result)
  }))

const refusals = { WorkerPool: 0, piscina: 0 }

const priorities = {
  title: `${CALLS.toLocaleString("en")} calls with priorities 0–9 on ${THREADS} threads`,
  description:
    "All submitted at once, each with a priority; the line serves the highest first. Per operation: one call.",
  operations: CALLS,
  reference: "WorkerPool.submit with priority",
  rounds: 4,
  time: 1,
  iterations: 3,
  contenders: [
    { name: "WorkerPool.submit with priority", run: () => submitAll(plain, priorityOf) },
    { name: "WorkerPool.submit, no priority", run: () => submitAll(plain) },
    {
      name: "piscina, priority taskQueue",
      run: () =>
        Promise.all(
          items.map((i) =>
            ranked.run({ n: i, [Piscina.queueOptionsSymbol]: { priority: priorityOf(i), seq: i } }, { name: "echo" })
          )
        )
    },
    { name: "piscina, no priority", run: () => Promise.all(items.map((i) => fifo.run(i, { name: "echo" }))) }
  ]
}

const boundedSubmission = {
  title: `${CALLS.toLocaleString("en")} calls on ${THREADS} threads, never more than ${BOUND} waiting`,
  description:
    `A producer submits one call at a time and waits whenever ${BOUND} are waiting. Per operation: one call.`,
  operations: CALLS,
  reference: `WorkerPool maxPending ${BOUND} (wait)`,
  rounds: 4,
  time: 1,
  iterations: 3,
  contenders: [
    { name: `WorkerPool maxPending ${BOUND} (wait)`, run: () => submitAll(waits) },
    {
      name: `piscina maxQueue ${BOUND}, producer waits`,
      run: async () => {
        const results: Array<Promise<unknown>> = []
        let oldest = 0
        for (const i of items) {
          while (bounded.queueSize >= BOUND) await results[oldest++]
          results.push(bounded.run(i, { name: "echo" }))
        }
        return Promise.all(results)
      }
    }
  ]
}

const loadShedding = {
  title: `${
    CALLS.toLocaleString("en")
  } calls at once on ${THREADS} threads, at most ${BOUND} waiting, the rest refused`,
  description: "All submitted in one synchronous run (the Effect loop does not yield meanwhile, as piscina's " +
    "`items.map` does not), so both run the same calls — those the idle threads take and 100 more — and refuse " +
    "the rest at once. Per operation: one submission (run or refused).",
  operations: CALLS,
  reference: `WorkerPool maxPending ${BOUND} (fail)`,
  rounds: 4,
  time: 1,
  iterations: 3,
  contenders: [
    {
      name: `WorkerPool maxPending ${BOUND} (fail)`,
      run: () =>
        Effect.runPromise(
          Effect.flatMap(
            Effect.provideService(
              Effect.forEach(items, (i) => Effect.exit(fails.submit(echo(i)))),
              Scheduler.MaxOpsBeforeYield,
              Number.MAX_SAFE_INTEGER
            ),
            (exits) => {
              refusals.WorkerPool = exits.filter(Exit.isFailure).length
              return Effect.forEach(exits, (exit) => (Exit.isSuccess(exit) ? exit.value.await : Effect.void))
            }
          )
        )
    },
    {
      name: `piscina maxQueue ${BOUND}`,
      run: async () => {
        let refused = 0
        await Promise.all(items.map((i) => bounded.run(i, { name: "echo" }).catch(() => refused++)))
        refusals.piscina = refused
      }
    }
  ]
}

const resize = {
  title: `${CALLS.toLocaleString("en")} calls, 1 thread raised to ${THREADS} after 500`,
  description: "The pool grows while calls wait; `resize` returns once the new thread serves (it loads the worker " +
    "module), then shrinks back between runs. No peer changes its thread count at run time: the reference is " +
    `the pool with ${THREADS} threads from the start. Per operation: one call.`,
  operations: CALLS,
  reference: "WorkerPool.resize 1 → 2",
  rounds: 3,
  time: 1,
  iterations: 2,
  contenders: [
    {
      name: "WorkerPool.resize 1 → 2",
      run: () =>
        Effect.runPromise(Effect.gen(function*() {
          const futures = yield* Effect.forEach(items, (i) =>
            i === 500
              ? Effect.andThen(Effect.orDie(resizable.resize(THREADS)), resizable.submit(echo(i)))
              : resizable.submit(echo(i)))
          yield* Effect.forEach(futures, (future) => future.result)
        })),
      afterEach: () => Effect.runPromise(Effect.orDie(resizable.resize(1)))
    },
    { name: `WorkerPool, ${THREADS} threads throughout`, run: () => submitAll(plain) }
  ]
}

await Report.main("packages/executor/bench/worker-steering.bench.ts", [
  priorities,
  boundedSubmission,
  loadShedding,
  resize
])
process.stdout.write(
  `\nrefused in the last load-shedding run: WorkerPool ${refusals.WorkerPool}, piscina ${refusals.piscina} ` +
    `(of ${CALLS})\n`
)

await Promise.all([fifo.destroy(), ranked.destroy(), bounded.destroy()])
await Effect.runPromise(Scope.close(scope, Exit.void))
