/**
 * Review: a resize to a large number, as the other processes hear it. `resize` accepts any safe
 * integer ("an integer ≥ 1"), and the scripts publish the numbers with Lua's `..`, which writes a
 * number with 14 significant digits: a limit of 123456789012345 is published as
 * `1.2345678901234e+14`, and the processes that hear the message take 123456789012340.
 * `concurrency` / `options`: "as this process last heard from Redis".
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { eventually, freshName, prefix, url } from "./redis.js"

const HUGE = 123_456_789_012_345

describe("review: a resize to a large number, heard by another process", { concurrent: false }, () => {
  it.live("RedisConcurrencyLimiter: another limiter of the name shows the exact limit", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("review-huge-concurrency")
      const options = { name, prefix, url: url(), concurrency: 2 } as const
      const resizing = yield* RedisConcurrencyLimiter.make(options)
      const hearing = yield* RedisConcurrencyLimiter.make(options)
      yield* hearing.inside // its background read of the stored limit is answered: only the message tells it now
      yield* resizing.resize(HUGE)
      assert.strictEqual(resizing.concurrency, HUGE)
      yield* eventually(Effect.sync(() => hearing.concurrency !== 2))
      assert.strictEqual(hearing.concurrency, HUGE)
    })))

  it.live("RedisRateLimiter: another limiter of the name shows the exact limit and burst", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("review-huge-rate")
      const options = { name, prefix, url: url(), limit: 2, interval: "1 second", algorithm: "gcra" } as const
      const resizing = yield* RedisRateLimiter.make(options)
      const hearing = yield* RedisRateLimiter.make(options)
      yield* hearing.stats // its background read of the stored numbers is answered: only the message tells it now
      yield* resizing.resize({ limit: HUGE, burst: HUGE })
      assert.strictEqual(resizing.options.limit, HUGE)
      yield* eventually(Effect.sync(() => hearing.options.limit !== 2))
      assert.strictEqual(hearing.options.limit, HUGE)
      assert.strictEqual(hearing.options.burst, HUGE)
    })))
})
