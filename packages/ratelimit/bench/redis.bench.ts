/**
 * Limits shared through Redis: fiberkit's limiters on Redis against bottleneck's Redis clustering
 * (`datastore: "ioredis"`), on the Redis that `FIBERKIT_REDIS_URL` names — skipped, saying so,
 * when it is not set. Peers and ours interleaved in one suite each (`@fiberkit/bench`'s `Suite`):
 *
 * - **Rate decisions.** 1,000 requests submitted at once to a limit they never reach
 *   (1,000,000 per second): what a shared decision costs, one Redis round trip per request —
 *   fiberkit's three algorithms against bottleneck with a reservoir (its clustered rate limit).
 * - **A shared concurrency limit.** 200 tasks of 2 ms submitted at once to a limit of 10 in
 *   flight: `RedisConcurrencyLimiter` (leases; waiters in a line in Redis, handed a permit by the
 *   release and woken through pub/sub) against bottleneck's `maxConcurrent` (whose waiters are
 *   woken through pub/sub too) — and the same with priorities 0–9 (`withPriority` against
 *   bottleneck's `priority`).
 *
 * Each run gets a fresh limiter under a new name (made before the timed part, with its own
 * connection, closed after it), so no run sees another's state.
 */
import { Report } from "@fiberkit/bench"
import * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
import * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
import Bottleneck from "bottleneck"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { createRequire } from "node:module"

const SOURCE = "packages/ratelimit/bench/redis.bench.ts"
const url = process.env.FIBERKIT_REDIS_URL ?? ""
if (url === "") {
  process.stdout.write(
    "skipped: FIBERKIT_REDIS_URL is not set (this benchmark needs a Redis to share limits through)\n"
  )
  process.exit(0)
}
const { hostname, port } = new URL(url)
const PREFIX = "fiberkit-bench:ratelimit"
const REQUESTS = 1_000
const TASKS = 200
const TASK_MILLIS = 2
const CONCURRENCY = 10

const ids = (n: number) => Array.from({ length: n }, (_, i) => i)
let runs = 0
const freshName = () => `run-${process.pid}-${++runs}`

/** A contender whose limiter lives in a scope made before each run and closed after it. */
const scopedContender = <L>(
  name: string,
  make: (name: string) => Effect.Effect<L, unknown, Scope.Scope>,
  run: (limiter: L) => Promise<unknown>
) => {
  let scope: Scope.Closeable | undefined
  let limiter: L | undefined
  return {
    name,
    beforeEach: async () => {
      scope = await Effect.runPromise(Scope.make())
      limiter = await Effect.runPromise(Scope.provide(scope)(make(freshName())))
    },
    run: () => run(limiter!),
    afterEach: () => Effect.runPromise(Scope.close(scope!, Exit.void))
  }
}

/** A bottleneck limiter on Redis, made before each run and disconnected (its keys cleared) after it. */
const bottleneckContender = (
  name: string,
  options: Bottleneck.ConstructorOptions,
  task: () => Promise<unknown>,
  n: number,
  /** Task i's priority, highest 9 (bottleneck's own scale is the other way round: 0 is its highest). */
  priorityOf?: (i: number) => number
) => {
  let limiter: Bottleneck | undefined
  return {
    name,
    beforeEach: async () => {
      limiter = new Bottleneck({
        id: `${PREFIX}:${freshName()}`,
        datastore: "ioredis",
        Redis,
        clientOptions: { host: hostname, port: Number(port) },
        clearDatastore: true,
        ...options
      })
      await limiter.ready()
    },
    run: () =>
      Promise.all(
        ids(n).map((i) =>
          priorityOf === undefined ? limiter!.schedule(task) : limiter!.schedule({ priority: 9 - priorityOf(i) }, task)
        )
      ),
    afterEach: () => limiter!.disconnect()
  }
}

const rateOptions = { limit: 1_000_000, interval: "1 second", url, prefix: PREFIX } as const
const ours = (algorithm: "sliding-window" | "token-bucket" | "gcra") =>
  scopedContender(
    `fiberkit RedisRateLimiter ${algorithm}`,
    (name) =>
      RedisRateLimiter.make({
        ...rateOptions,
        name,
        algorithm,
        ...(algorithm === "sliding-window" ? {} : { burst: 1_000_000 })
      }),
    (limiter) =>
      Effect.runPromise(Effect.forEach(ids(REQUESTS), () => limiter(Effect.void), { concurrency: "unbounded" }))
  )

/** What ran: effect's version, and the Redis server's. */
const effectVersion = (createRequire(import.meta.url)("effect/package.json") as { version: string }).version
const redisVersion = await (async () => {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    return /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "unknown"
  } finally {
    redis.disconnect()
  }
})()
const versions = `effect ${effectVersion}, redis-server ${redisVersion} on loopback`

const sleepTask = () => new Promise<void>((resolve) => setTimeout(resolve, TASK_MILLIS))

/** `RedisConcurrencyLimiter` at `CONCURRENCY`; with `priorityOf`, task i enters with priority `priorityOf(i)`. */
const concurrencyContender = (name: string, priorityOf?: (i: number) => number) =>
  scopedContender(
    name,
    (name) => RedisConcurrencyLimiter.make({ name, url, prefix: PREFIX, concurrency: CONCURRENCY }),
    (limiter) =>
      Effect.runPromise(
        Effect.forEach(
          ids(TASKS),
          (i) => (priorityOf === undefined ? limiter : limiter.withPriority(priorityOf(i)))(Effect.promise(sleepTask)),
          { concurrency: "unbounded" }
        )
      )
  )

await Report.main(SOURCE, [
  {
    title: `${REQUESTS.toLocaleString("en")} rate decisions on Redis, submitted at once, limit never reached`,
    description: `Each request asks Redis whether it may start (a limit of 1,000,000 per second: it always may) and ` +
      `does nothing else; per operation = per request. bottleneck: a reservoir of 1,000,000 with Redis clustering ` +
      `(\`datastore: "ioredis"\`). ${versions}.`,
    operations: REQUESTS,
    rounds: 5,
    contenders: [
      ours("sliding-window"),
      bottleneckContender(
        "bottleneck clustered, reservoir",
        { reservoir: 1_000_000 },
        () => Promise.resolve(),
        REQUESTS
      ),
      ours("token-bucket"),
      ours("gcra")
    ]
  },
  {
    title: `${TASKS} tasks of ${TASK_MILLIS} ms, at most ${CONCURRENCY} at once, the limit on Redis`,
    description: `All ${TASKS} are submitted at once; the ideal is ${TASKS / CONCURRENCY} waves of ${TASK_MILLIS} ms ` +
      `(${(TASKS / CONCURRENCY) * TASK_MILLIS} ms). fiberkit: a lease per task (acquire, release: two scripts); a ` +
      `waiter is registered in the limiter's line in Redis, and a release hands its permit to the head and ` +
      `publishes it (default \`pollInterval\`: a third of the 10 s lease, a fallback only). bottleneck: ` +
      `\`maxConcurrent: ${CONCURRENCY}\` with Redis clustering, its waiters woken by pub/sub. ${versions}.`,
    operations: TASKS,
    rounds: 5,
    contenders: [
      concurrencyContender("fiberkit RedisConcurrencyLimiter"),
      bottleneckContender("bottleneck clustered, maxConcurrent", { maxConcurrent: CONCURRENCY }, sleepTask, TASKS)
    ]
  },
  {
    title:
      `${TASKS} tasks of ${TASK_MILLIS} ms with priorities 0–9, at most ${CONCURRENCY} at once, the limit on Redis`,
    description: `As above, each task with a priority (task i: i mod 10), served highest first. fiberkit: ` +
      `\`withPriority(p)\`, the line in Redis ranked by priority. bottleneck: \`schedule({ priority: 9 - p })\` ` +
      `(its 0 is the highest). ${versions}.`,
    operations: TASKS,
    rounds: 5,
    contenders: [
      concurrencyContender("fiberkit RedisConcurrencyLimiter, withPriority", (i) => i % 10),
      bottleneckContender(
        "bottleneck clustered, maxConcurrent, priority",
        { maxConcurrent: CONCURRENCY },
        sleepTask,
        TASKS,
        (i) => i % 10
      )
    ]
  }
])
