/**
 * What `resize` and `pause` store in Redis, as later processes and the scripts read it: the stored
 * numbers win over `make`'s (a cost above them is a defect, as for the local limiter), GCRA counts
 * a start's own cost against the burst, and a pause is at most 100 years long — its end stays an
 * exact integer, and a waiter sleeps through it. (From a review: the first five tests and the
 * pause test failed before the fixes — a later process started a cost of 10 against a stored limit
 * of 2, and a pause of 10^10 days read back negative while a waiter asked Redis every millisecond.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import type { Redis } from "ioredis"
import { Connection } from "../src/internal/redis/connection.js"
import * as Scripts from "../src/internal/redis/scripts.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, counting, eventually, freshName, prefix, url } from "./redis.js"

const zcard = (redis: Redis, key: string) => Effect.promise(() => redis.zcard(key))

/** A rate script run directly: `op` and its arguments, after `make`'s numbers (limit, interval µs, burst). */
const scriptOf = (
  redis: Redis,
  name: string,
  algorithm: string,
  script: Scripts.Script,
  given: [number, number, number]
) => {
  const connection = new Connection(redis, name, 2000)
  const base = `${prefix}:${name}:${algorithm}`
  return (op: string, ...args: Array<string | number>) =>
    Effect.map(
      connection.run("test", script, [base, `${base}:settings`, connection.channel(base)], [op, ...given, ...args]),
      (reply) => {
        const [started, wait, available, pausedFor] = reply as Array<number>
        return { started, wait, available, pausedFor }
      }
    )
}

describe("RedisRateLimiter: what resize and pause store", { concurrent: false }, () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    it.live(
      `${algorithm}: resized to 2 by one process, a process made later refuses a cost of 10 (a defect)`,
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName(`resize-${algorithm}`)
          const redis = yield* client
          const options = { name, prefix, url: url(), limit: 10, interval: "10 seconds", algorithm } as const
          const first = yield* RedisRateLimiter.make(options)
          yield* first.resize({ limit: 2, ...(algorithm === "sliding-window" ? {} : { burst: 2 }) })
          // README: "every process uses them from then on ..., processes made later too"
          const later = yield* RedisRateLimiter.make(options)
          const started = yield* Deferred.make<void>()
          const fiber = yield* Effect.forkChild(Effect.exit(later.withCost(10)(Deferred.succeed(started, undefined))))
          yield* Effect.sleep("300 millis")
          const stats = yield* first.stats
          // 10 starts within one interval, of a limit (and burst) of 2
          assert.isFalse(
            yield* Deferred.isDone(started),
            `a cost of 10 started against a limit of 2 (available now ${stats.available}; ${
              algorithm === "sliding-window"
                ? `log holds ${yield* zcard(redis, `${prefix}:${name}:${algorithm}`)}`
                : "bucket overdrawn"
            })`
          )
          const exit = yield* Fiber.join(fiber)
          const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
          assert.isTrue(Cause.isIllegalArgumentError(defect), String(defect))
          assert.include((defect as Error).message, "RedisRateLimiter.withCost")
          assert.include((defect as Error).message, "an integer from 1 to 2")
          assert.strictEqual(later.options.limit, 2)
        })),
      20_000
    )
  }

  it.live("the scripts: a first try above the stored limit is refused; a waiter's take (checked before a shrink) starts alone", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("try")
      const run = scriptOf(yield* client, name, "sliding-window", Scripts.slidingWindow, [10, 10_000_000, 10])
      yield* run("resize", 2, "", "")
      assert.strictEqual((yield* run("try", "a", 3)).started, -1)
      assert.strictEqual((yield* run("peek")).available, 2) // refused: nothing counted
      assert.strictEqual((yield* run("try", "b", 2)).started, 1)
      assert.strictEqual((yield* run("take", "c", 3)).started, 0) // the window holds 2: it waits
    })))

  it.live("gcra's script counts a start's own cost against the burst: of two starts of 2 with a burst of 3, one now", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("gcra-cost")
      // 10 per second: an emission interval of 100 ms
      const run = scriptOf(yield* client, name, "gcra", Scripts.gcra, [10, 1_000_000, 3])
      const { started, wait } = yield* run("take", "a", 2, 2)
      assert.strictEqual(started, 1)
      // 200 ms booked; the second 2 fits the burst of 3 once 100 ms of them are paid
      assert.strictEqual(wait, 100_000)
    })))

  it.live(
    "pause of a finite but huge duration: pausedFor stays ≥ 0 (100 years at most), and a waiter sleeps instead of asking Redis every millisecond",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("hugepause")
        const counted = yield* client
        const counter = counting(counted)
        const limiter = yield* RedisRateLimiter.make({ name, prefix, redis: counted, limit: 2, interval: "1 second" })
        // 10^10 days: paused until Redis's µs clock passed 2^63, which an integer reply cannot hold
        yield* limiter.pause("10000000000 days")
        const { pausedFor } = yield* limiter.stats
        const waiter = yield* Effect.forkChild(limiter(Effect.void))
        yield* Effect.sleep("100 millis")
        const before = counter.scripts
        yield* Effect.sleep("500 millis")
        const asked = counter.scripts - before
        yield* Fiber.interrupt(waiter)
        assert.isAtLeast(pausedFor, 0, `stats.pausedFor = ${pausedFor}`)
        assert.isAtMost(pausedFor, Scripts.MAX_PAUSE_MILLIS)
        assert.isAtLeast(pausedFor, Scripts.MAX_PAUSE_MILLIS - 60_000)
        assert.isAtMost(asked, 2, `the waiting request asked Redis ${asked} times in 500 ms`)
      })),
    20_000
  )

  it.live("a pause stored past the longest (by an older version) counts as the longest", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("storedpause")
      const redis = yield* client
      const limiter = yield* RedisRateLimiter.make({ name, prefix, redis, limit: 2, interval: "1 second" })
      yield* Effect.promise(() => redis.hset(`${prefix}:${name}:sliding-window:settings`, "paused", "8.64e+20"))
      const { pausedFor } = yield* limiter.stats
      assert.isAtLeast(pausedFor, Scripts.MAX_PAUSE_MILLIS - 60_000)
      assert.isAtMost(pausedFor, Scripts.MAX_PAUSE_MILLIS)
    })))
})

describe("RedisConcurrencyLimiter: the limit a resize stored", { concurrent: false }, () => {
  it.live("a process made later shows the stored limit as its concurrency, before it asks Redis anything", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("stored-limit")
      const first = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 5 })
      yield* first.resize(2)
      const later = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 5 })
      yield* eventually(Effect.sync(() => later.concurrency === 2))
    })))
})
