/**
 * A resize to a large number, as the other processes hear it. `resize` accepts any safe integer
 * ("an integer ≥ 1"), and the scripts published the numbers with Lua's `..`, which writes a
 * number with 14 significant digits: a limit of 123456789012345 was published as
 * `1.2345678901234e+14`, and the processes that heard the message took 123456789012340.
 * `concurrency` / `options`: "as this process last heard from Redis". From the third review: every
 * test failed before the scripts wrote the numbers in full (`%.17g`) — for 2^53 − 1 the resizing
 * process too, whose reply, an integer, ioredis read as 2^53.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { eventually, freshName, prefix, url } from "./redis.js"

/** Numbers Lua's `..` wrote wrong (more than 14 significant digits), up to the largest safe integer. */
const LARGE = [123_456_789_012_345, 2 ** 53 - 1] as const

describe("the limiters on Redis: a resize to a large number, heard by another process", { concurrent: false }, () => {
  for (const large of LARGE) {
    it.live(`RedisConcurrencyLimiter: another limiter of the name shows the exact limit ${large}`, () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("exact-concurrency")
        const options = { name, prefix, url: url(), concurrency: 2 } as const
        const resizing = yield* RedisConcurrencyLimiter.make(options)
        const hearing = yield* RedisConcurrencyLimiter.make(options)
        yield* hearing.inside // its background read of the stored limit is answered: only the message tells it now
        yield* resizing.resize(large)
        assert.strictEqual(resizing.concurrency, large)
        yield* eventually(Effect.sync(() => hearing.concurrency !== 2))
        assert.strictEqual(hearing.concurrency, large)
      })))

    it.live(`RedisRateLimiter: another limiter of the name shows the exact limit and burst ${large}`, () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("exact-rate")
        const options = { name, prefix, url: url(), limit: 2, interval: "1 second", algorithm: "gcra" } as const
        const resizing = yield* RedisRateLimiter.make(options)
        const hearing = yield* RedisRateLimiter.make(options)
        yield* hearing.stats // its background read of the stored numbers is answered: only the message tells it now
        yield* resizing.resize({ limit: large, burst: large })
        assert.strictEqual(resizing.options.limit, large)
        yield* eventually(Effect.sync(() => hearing.options.limit !== 2))
        assert.strictEqual(hearing.options.limit, large)
        assert.strictEqual(hearing.options.burst, large)
        assert.strictEqual(Duration.toMillis(hearing.options.interval), 1_000)
      })))
  }
})
