/**
 * The numbers of a `resize` forgotten by Redis — the settings key expired (a day without use) or
 * Redis lost its data (restart without persistence, failover). README, "Losing Redis's data":
 * "what `resize` and `pause` stored — `make`'s numbers apply again"; `resize`'s JSDoc: "A resize
 * is kept until the next one, or until the limiter has not been used for a day (then `make`'s
 * `concurrency` applies again)". The scripts apply `make`'s numbers again, with version 0; a
 * process that heard the resize held its version and refused every later answer of version 0 as
 * "older", keeping the forgotten numbers for good (and a rate limiter's waiting head, taking every
 * wait as stale, asked Redis about every millisecond). The first three tests are the third
 * review's, the fourth came with the fix; each failed before it (a reply to a request sent after
 * the numbers held were taken is taken, whatever its version: see `Versioned`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import type { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, counting, freshName, prefix, url } from "./redis.js"

/** Deletes every key of the limiter `name`: what a Redis restarted without persistence holds. */
const forget = (redis: Redis, name: string) =>
  Effect.promise(async () => {
    const keys = await redis.keys(`${prefix}:${name}:*`)
    if (keys.length > 0) await redis.del(...keys)
  })

describe("the limiters on Redis: numbers of a resize that Redis forgot", { concurrent: false }, () => {
  it.live("RedisRateLimiter: a waiter does not ask Redis in a tight loop once the stored numbers are gone", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("lost-settings-loop")
      const redis = yield* client
      const connection = yield* client
      const limiter = yield* RedisRateLimiter.make({
        name,
        prefix,
        redis: connection,
        limit: 2,
        interval: "20 seconds"
      })
      yield* limiter.resize({ limit: 1 })
      assert.strictEqual(limiter.options.limit, 1)
      yield* forget(redis, name) // the resize is forgotten: `make`'s limit of 2 applies again
      yield* limiter.take()
      yield* limiter.take() // the window is full for 20 s
      const counter = counting(connection)
      const waiter = yield* Effect.forkChild(Effect.exit(limiter.take()))
      yield* Effect.sleep("1 second")
      const sent = counter.scripts
      yield* Fiber.interrupt(waiter)
      // Redis answered "wait ~20 s" (or at most 5 s, RECHECK_MILLIS): a couple of scripts. The reply's
      // version (0) is below the one heard from the resize, so every wait is taken as stale and
      // computed "again at once": the head asks Redis about every millisecond.
      assert.isAtMost(sent, 5, `the waiting head sent ${sent} scripts to Redis in one second`)
    })))

  it.live("RedisRateLimiter: make's limit applies again locally — a cost it allows is not a defect", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("lost-settings-cost")
      const redis = yield* client
      const limiter = yield* RedisRateLimiter.make({ name, prefix, url: url(), limit: 2, interval: "20 seconds" })
      yield* limiter.resize({ limit: 1 })
      yield* forget(redis, name)
      const stats = yield* limiter.stats // a fresh answer from Redis, on make's numbers
      assert.strictEqual(stats.available, 2)
      const started = yield* Deferred.make<void>()
      const exit = yield* Effect.exit(limiter.withCost(2)(Deferred.succeed(started, undefined)))
      // Redis would start it (limit 2, nothing used); the process still checks against the forgotten 1
      assert.isTrue(
        Exit.isSuccess(exit),
        `withCost(2) ${
          Exit.isFailure(exit) ? String(Cause.squash(exit.cause)) : ""
        }; options.limit ${limiter.options.limit}`
      )
      assert.strictEqual(limiter.options.limit, 2)
    })))

  it.live("RedisConcurrencyLimiter: concurrency shows make's number again once Redis forgot the resize", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("lost-settings-concurrency")
      const redis = yield* client
      const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 3 })
      yield* limiter.resize(1)
      assert.strictEqual(limiter.concurrency, 1)
      yield* forget(redis, name)
      // Redis enforces 3 again: three holders enter at once
      const entered = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      let inside = 0
      const holders = yield* Effect.forkChild(Effect.forEach([1, 2, 3], () =>
        limiter(Effect.andThen(
          Effect.sync(() => {
            if (++inside === 3) Deferred.doneUnsafe(entered, Effect.void)
          }),
          Deferred.await(gate)
        )), { concurrency: "unbounded" }))
      yield* Deferred.await(entered).pipe(Effect.timeout("2 seconds"))
      assert.strictEqual(yield* limiter.inside, 3)
      // "The most effects inside at once, across processes, as this process last heard from Redis"
      assert.strictEqual(limiter.concurrency, 3, "concurrency still shows the forgotten resize")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holders)
    })))

  it.live(
    "RedisConcurrencyLimiter: a resize stored after the loss with a lower version (Redis's clock stepped back) is taken",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("lost-settings-lower-version")
        const redis = yield* client
        const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 3 })
        yield* limiter.resize(1) // version: Redis's clock, in µs
        yield* forget(redis, name)
        // what a resize after the loss stores when Redis's clock is behind (another machine), its message lost
        yield* Effect.promise(() => redis.hset(`${prefix}:${name}:leases:settings`, { limit: 4, version: 1 }))
        assert.strictEqual(yield* limiter.inside, 0)
        // "as this process last heard from Redis": the reply to a request sent after it took 1 is newer
        assert.strictEqual(limiter.concurrency, 4)
      }))
  )
})
