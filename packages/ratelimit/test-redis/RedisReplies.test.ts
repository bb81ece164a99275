/**
 * What the limiters on Redis read in Redis's replies: a reply sent before a resize but read after
 * its message does not take the resize back (the stored numbers are versioned), and the numbers of
 * a reply are numbers on a connection made with ioredis's `stringNumbers`. (From the second
 * review: every test failed before its fix.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Option } from "effect"
import { Redis } from "ioredis"
import { RECHECK_MILLIS } from "../src/internal/redis/rateLine.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { delayingProxy, zcard } from "./faults.js"
import { client, freshName, prefix, url } from "./redis.js"

describe("the limiters on Redis: replies", { concurrent: false }, () => {
  it.live(
    "RedisRateLimiter: a grow published while a waiter's try is on its way is not lost: the waiter starts now, not an hour later",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("growrace")
        const options = { name, prefix, limit: 1, interval: "1 hour" } as const
        const steering = yield* RedisRateLimiter.make({ ...options, url: url() })
        yield* steering.take() // the limit is reached for an hour
        // this process's replies come 300 ms late (a slow link); its subscriber's do not
        const limiter = yield* RedisRateLimiter.make({ ...options, url: yield* delayingProxy(300) })
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        yield* Effect.sleep("100 millis") // Redis has answered the try: wait an hour
        yield* steering.resize({ limit: 10 }) // a grow, published: heard by `limiter` before that answer
        // JSDoc (resize): "They are stored in Redis and published: each process's waiters compute
        // their start again at once (a grow lets them in now)"
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption("3 seconds"))
        assert.deepStrictEqual(
          exit,
          Option.some(Exit.succeed("ran")),
          "the waiter sleeps the hour it was told before the grow"
        )
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter: a reply sent before a grow, read after its message, does not take the grow back (options, cost check)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stalereply")
        const options = { name, prefix, limit: 2, interval: "1 hour" } as const
        const steering = yield* RedisRateLimiter.make({ ...options, url: url() })
        // this process's replies come 300 ms late (a slow link); its subscriber's do not
        const limiter = yield* RedisRateLimiter.make({ ...options, url: yield* delayingProxy(300) })
        yield* Effect.sleep("500 millis") // make's background read has come back
        const read = yield* Effect.forkChild(limiter.stats, { startImmediately: true })
        yield* Effect.sleep("100 millis") // Redis has answered the read, with limit 2
        yield* steering.resize({ limit: 10 }) // published: heard by `limiter` before that answer
        yield* Fiber.join(read)
        yield* Effect.sleep("300 millis") // its message has come long ago
        // JSDoc (DistributedRateLimiter): "`options` are the numbers in force as this process last heard
        // from Redis: make's, or the last resize's, in whichever process" — it heard the resize last
        assert.strictEqual(limiter.options.limit, 10, "options went back to the numbers before the resize")
        // README: "the stored numbers win over every process's make options": a cost of 5 is within them
        const exit = yield* Effect.exit(limiter.withCost(5)(Effect.succeed("ran")))
        assert.deepStrictEqual(exit, Exit.succeed("ran"))
      })),
    20_000
  )

  it.live(
    "RedisConcurrencyLimiter on the caller's connection made with ioredis's stringNumbers: concurrency is a number",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stringnumbers")
        // an app that reads big integers exactly passes its connection, as the README invites
        const redis = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(url(), { stringNumbers: true })),
          (connection) => Effect.promise(() => connection.quit())
        )
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          redis,
          concurrency: 1,
          leaseTime: "3 seconds"
        })
        // JSDoc (ConnectionOptions.redis): "An ioredis connection of the caller's. The limiter runs its
        // scripts on it and never closes it. Its own settings apply"
        const exit = yield* limiter(Effect.succeed("ran")).pipe(Effect.timeoutOption("2 seconds"), Effect.exit)
        assert.deepStrictEqual(exit, Exit.succeed(Option.some("ran")), "nobody inside, and the effect did not run")
        // the reply's numbers come as strings: `concurrency: number` is "1"
        assert.strictEqual(limiter.concurrency, 1)
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter on a stringNumbers connection: a first try above the stored limit is refused, it does not start over it",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stringrefuse")
        const redis = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(url(), { stringNumbers: true })),
          (connection) => Effect.promise(() => connection.quit())
        )
        const options = { name, prefix, limit: 10, interval: "1 hour" } as const
        const steering = yield* RedisRateLimiter.make({ ...options, url: url() })
        yield* steering.resize({ limit: 2 }) // stored: 2 per hour, for every process
        const limiter = yield* RedisRateLimiter.make({ ...options, redis })
        // README: "Redis checks a request's first try against the numbers stored: a cost above them
        // ... is refused, and the call dies with IllegalArgumentError ... — it does not start"
        const exit = yield* limiter.withCost(5)(Effect.succeed("ran")).pipe(
          Effect.timeoutOption("2 seconds"),
          Effect.exit
        )
        const used = yield* zcard(redis, `${prefix}:${name}:sliding-window`) // the log's entries: one per unit
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), `the cost of 5 ended ${String(exit)}`)
        assert.isAtMost(Number(used), 2)
      })),
    20_000
  )

  it.live(
    "RedisConcurrencyLimiter: a reply sent before a resize, read after its message, does not take the resize back",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stalelimit")
        const options = { name, prefix, concurrency: 2, leaseTime: "3 seconds" } as const
        const steering = yield* RedisConcurrencyLimiter.make({ ...options, url: url() })
        // this process's replies come 300 ms late (a slow link); its subscriber's do not
        const limiter = yield* RedisConcurrencyLimiter.make({ ...options, url: yield* delayingProxy(300) })
        yield* Effect.sleep("500 millis") // make's background read has come back
        const read = yield* Effect.forkChild(limiter.inside, { startImmediately: true })
        yield* Effect.sleep("100 millis") // Redis has answered the read, with limit 2
        yield* steering.resize(5) // published: heard by `limiter` before that answer
        yield* Fiber.join(read)
        assert.strictEqual(limiter.concurrency, 5, "concurrency went back to the limit before the resize")
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter: a resize whose message was lost is found by the waiting head within RECHECK_MILLIS",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("lostresize")
        const redis = yield* client
        const limiter = yield* RedisRateLimiter.make({ name, prefix, url: url(), limit: 1, interval: "1 hour" })
        yield* limiter.take() // the limit is reached for an hour
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")))
        yield* Effect.sleep("200 millis") // told to wait an hour
        // what a resize stores, its message lost: nobody is told
        yield* Effect.promise(() =>
          redis.hset(`${prefix}:${name}:sliding-window:settings`, {
            limit: 10,
            interval: 3_600_000_000,
            burst: 10,
            version: 1
          })
        )
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption(Duration.millis(RECHECK_MILLIS + 2_000)))
        assert.deepStrictEqual(exit, Option.some(Exit.succeed("ran")))
      })),
    20_000
  )
})
