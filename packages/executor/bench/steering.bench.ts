/**
 * Steering a pool (issue 25): the same work through a `FiberPool` and p-queue, each with the
 * control in use — 20,000 tasks that await a promise, at concurrency 16.
 *
 * - priorities: every task submitted at once with a priority from 0 to 9 (p-queue's `priority`);
 * - bounded submission: a producer that never lets more than 100 wait (`maxPending: 100` with
 *   `onFull: "wait"`; p-queue: `await queue.onSizeLessThan(100)` before each `add`);
 * - resize: at concurrency 4, raised to 16 after the first 5,000 (`resize`; p-queue's
 *   `concurrency` setter).
 */
import { Report } from "@fiberkit/bench"
import { FiberPool } from "@fiberkit/executor"
import * as Effect from "effect/Effect"
import * as Scope from "effect/Scope"
import PQueue from "p-queue"

const TASKS = 20_000
const CONCURRENCY = 16
const items = Array.from({ length: TASKS }, (_, i) => i)
const priorityOf = (i: number) => (i * 7) % 10
const task = (i: number) => Effect.promise(() => Promise.resolve(i))
const asyncTask = async (i: number) => await Promise.resolve(i)

const scope = Effect.runSync(Scope.make())
const make = (options: FiberPool.FiberPool.Options & { readonly onFull?: "wait" }) =>
  Effect.runSync(Scope.provide(FiberPool.make(options), scope))
const plain = make({ concurrency: CONCURRENCY })
const bounded = make({ concurrency: CONCURRENCY, maxPending: 100 })

const submitAll = (pool: FiberPool.FiberPool, options?: (i: number) => FiberPool.FiberPool.SubmitOptions) =>
  Effect.runPromise(
    Effect.flatMap(
      Effect.forEach(items, (i) => pool.submit(task(i), options?.(i))),
      (futures) => Effect.forEach(futures, (future) => future.result)
    )
  )

const priorities = {
  title: `${TASKS.toLocaleString("en")} tasks with priorities 0–9 at concurrency ${CONCURRENCY}`,
  description: "All submitted at once, each with a priority; the line serves the highest first.",
  operations: TASKS,
  reference: "FiberPool.submit with priority",
  rounds: 4,
  contenders: [
    { name: "FiberPool.submit with priority", run: () => submitAll(plain, (i) => ({ priority: priorityOf(i) })) },
    { name: "FiberPool.submit, no priority", run: () => submitAll(plain) },
    {
      name: "p-queue with priority",
      run: () => {
        const queue = new PQueue({ concurrency: CONCURRENCY })
        return Promise.all(items.map((i) => queue.add(() => asyncTask(i), { priority: priorityOf(i) })))
      }
    }
  ]
}

const boundedSubmission = {
  title: `${TASKS.toLocaleString("en")} tasks, never more than 100 waiting`,
  description: "A producer submits one task at a time and waits whenever 100 are pending.",
  operations: TASKS,
  reference: "FiberPool maxPending 100 (wait)",
  rounds: 4,
  contenders: [
    { name: "FiberPool maxPending 100 (wait)", run: () => submitAll(bounded) },
    {
      name: "p-queue + onSizeLessThan(100)",
      run: async () => {
        const queue = new PQueue({ concurrency: CONCURRENCY })
        const results: Array<Promise<number>> = []
        for (const i of items) {
          if (queue.size >= 100) await queue.onSizeLessThan(100)
          results.push(queue.add(() => asyncTask(i)))
        }
        return Promise.all(results)
      }
    }
  ]
}

const resize = {
  title: `${TASKS.toLocaleString("en")} tasks at concurrency 4, raised to ${CONCURRENCY} after 5,000`,
  description: "The limit is raised while tasks wait.",
  operations: TASKS,
  reference: "FiberPool.resize",
  rounds: 4,
  contenders: [
    {
      name: "FiberPool.resize",
      run: () =>
        Effect.runPromise(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 4 })
          const futures = yield* Effect.forEach(items, (i) =>
            pool.submit(i === 5_000 ? Effect.andThen(pool.resize(CONCURRENCY), task(i)) : task(i)))
          return yield* Effect.forEach(futures, (future) =>
            future.result)
        })))
    },
    {
      name: "p-queue concurrency setter",
      run: () => {
        const queue = new PQueue({ concurrency: 4 })
        return Promise.all(items.map((i) =>
          queue.add(() => {
            if (i === 5_000) queue.concurrency = CONCURRENCY
            return asyncTask(i)
          })
        ))
      }
    }
  ]
}

await Report.main("packages/executor/bench/steering.bench.ts", [priorities, boundedSubmission, resize])
await Effect.runPromise(Scope.close(scope, Effect.runSync(Effect.exit(Effect.void))))
