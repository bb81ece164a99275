/**
 * What the BullMQ store's priorities cost BullMQ: the store adds every task as a prioritized job
 * (BullMQ runs jobs without a priority before all prioritized ones, so a task of priority 0 must
 * be prioritized too, to run after the higher ones). Here BullMQ alone, in this process: a Queue
 * and a Worker of concurrency 8 with a no-op processor, 10,000 jobs added in `addBulk`s of 1,000,
 * timed until the Worker has completed them all — with a priority (as the store adds them now:
 * BullMQ's sorted set, `ZADD` and a counter per job) and without (BullMQ's wait list, as the
 * store added them before), interleaved in one suite.
 *
 * Redis: a throwaway local `redis-server` with `appendfsync everysec`, as in `bullmq.bench.ts`.
 * Before each run (untimed) a fresh queue and Worker; after it, they close and the keys go.
 */
import { Report, type Suite } from "@fiberkit/bench"
import { RedisServer } from "@fiberkit/testkit"
import { Queue, Worker } from "bullmq"
import * as Effect from "effect/Effect"
import { Redis } from "ioredis"
import { removeQueue } from "../test-redis/keys.js"
import { TASKS } from "./shared.js"

const CHUNK = 1_000
const CONCURRENCY = 8
const PREFIX = "fiberkit-bench-priority"

const program = Effect.gen(function*() {
  const server = yield* RedisServer.makeWith({ appendfsync: "everysec" })
  const connection = yield* Effect.acquireRelease(
    Effect.sync(() => new Redis(server.url, { maxRetriesPerRequest: null })),
    (client) => Effect.sync(() => client.disconnect())
  )
  const info = yield* Effect.promise(() => connection.info("server"))
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "(unknown version)"
  let queues = 0

  const contender = (name: string, priority: (i: number) => number | undefined): Suite.Contender => {
    let current:
      | { readonly queue: Queue; readonly worker: Worker; readonly done: Promise<void>; readonly name: string }
      | undefined
    return {
      name,
      beforeEach: () => {
        const queueName = `run-${queues++}`
        const queue = new Queue(queueName, { connection, prefix: PREFIX })
        let completed = 0
        let finish = () => {}
        const done = new Promise<void>((resolve) => (finish = resolve))
        const worker = new Worker(queueName, async () => undefined, {
          connection,
          prefix: PREFIX,
          concurrency: CONCURRENCY
        })
        worker.on("completed", () => {
          if (++completed === TASKS) finish()
        })
        current = { queue, worker, done, name: queueName }
        return worker.waitUntilReady()
      },
      run: async () => {
        const own = current!
        for (let from = 0; from < TASKS; from += CHUNK) {
          await own.queue.addBulk(Array.from({ length: CHUNK }, (_, k) => {
            const p = priority(from + k)
            return { name: "noop", data: {}, opts: p === undefined ? {} : { priority: p } }
          }))
        }
        await own.done
      },
      afterEach: async () => {
        const own = current
        current = undefined
        if (own === undefined) return
        await own.worker.close()
        await own.queue.close()
        await Effect.runPromise(removeQueue(connection, PREFIX, own.name))
      }
    }
  }

  yield* Effect.promise(() =>
    Report.main("packages/tasks/bench/bullmq-priority.bench.ts", [{
      title: `${TASKS.toLocaleString("en")} no-op jobs through BullMQ alone: prioritized or not`,
      description: `A Queue and a Worker (concurrency ${CONCURRENCY}) in this process; the timed run adds the jobs ` +
        `in \`addBulk\`s of ${CHUNK.toLocaleString("en")} and waits until the Worker has completed them all. ` +
        "“prioritized” is how the BullMQ store adds tasks now (BullMQ priority 1,000,001 − p, here for p = 0 and " +
        "for p from 0 to 9); “wait list” is how it added them before priorities. Redis: a local `redis-server` " +
        `${version}, append-only file with \`appendfsync everysec\`. Per operation = per job.`,
      operations: TASKS,
      reference: "prioritized, all at priority 0",
      rounds: 6,
      time: 1,
      iterations: 1,
      contenders: [
        contender("prioritized, all at priority 0", () => 1_000_001),
        contender("wait list (no priority)", () => undefined),
        contender("prioritized, priorities 0–9", (i) => 1_000_001 - ((i * 7) % 10))
      ]
    }])
  )
})

await Effect.runPromise(Effect.scoped(program))
