/**
 * The harness's first benchmark, on real peers: 100,000 tiny tasks at concurrency 16 with
 * plain `Effect.forEach`, p-limit and p-queue. A task computes one number: what is measured is
 * the cost of scheduling, not of work.
 */
import { Report } from "@fiberkit/bench"
import * as Effect from "effect/Effect"
import pLimit from "p-limit"
import PQueue from "p-queue"

const TASKS = 100_000
const CONCURRENCY = 16
const items = Array.from({ length: TASKS }, (_, i) => i)
const work = (i: number): number => (i * 7) % 13

await Report.main("packages/bench/bench/tiny-tasks.bench.ts", [
  {
    title: `${TASKS.toLocaleString("en")} tiny tasks at concurrency ${CONCURRENCY}`,
    description: "Each task returns `(i * 7) % 13`; the job ends when all have completed. " +
      "Effect runs them with `Effect.forEach(…, { concurrency: 16 })` inside `Effect.runPromise`; p-limit and " +
      "p-queue run an `async` function per task.",
    operations: TASKS,
    reference: "Effect.forEach",
    contenders: [
      {
        name: "Effect.forEach",
        run: () =>
          Effect.runPromise(
            Effect.forEach(items, (i) => Effect.sync(() => work(i)), { concurrency: CONCURRENCY, discard: true })
          )
      },
      {
        name: "p-limit",
        run: () => {
          const limit = pLimit(CONCURRENCY)
          return Promise.all(items.map((i) => limit(async () => work(i))))
        }
      },
      {
        name: "p-queue",
        run: () => {
          const queue = new PQueue({ concurrency: CONCURRENCY })
          for (const i of items) void queue.add(async () => work(i))
          return queue.onIdle()
        }
      }
    ]
  }
])
