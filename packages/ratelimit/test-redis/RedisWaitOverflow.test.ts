/**
 * Review-10 regression test (it failed before the fix; Redis): a wait longer than 2^63 µs — reachable with numbers `make` and `resize` accept
 * (a cost waiting through a shrink of `limit`, the interval 100 years) — comes back from the
 * script as −2^63: Redis turns a Lua number into an integer reply with a C cast, and a double
 * above `LLONG_MAX` becomes `LLONG_MIN` (`redis-cli eval "return 3.15e19" 0` answers
 * -9223372036854775808). The line reads a negative wait, and its head asks Redis again every
 * millisecond — for the 300 years it must wait — instead of sleeping.
 *
 * README ("Waiting for a rate"): the line's fiber "asks Redis to start the requests at its head …
 * and sleeps as long as Redis said (at most 5 seconds: a resize whose message was lost is found
 * then)". README ("A cost above a shrunk limit"): "Within the numbers a cost waits as any other,
 * even above a token bucket's or GCRA's new `limit`". README ("Resize"): "the rate algorithms keep
 * what past starts owe".
 *
 * Numbers: limit 10,000 (burst 10,000) per 100 years; a start of 3,000 books 3,000 intervals; a
 * request of 10,000 waits; `resize({ limit: 1 })` keeps what is owed (3,000 intervals), now paid
 * at 1 per 100 years: the head's wait is 3,000 × 3.15576 × 10^15 µs ≈ 9.47 × 10^18 µs > 2^63 − 1.
 *
 * Deterministic (the head asks about 1,000 times a second; the test allows 10 scripts in 500 ms).
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import type { Redis } from "ioredis"
import { MAX_INTERVAL_MILLIS } from "../src/internal/redis/rateLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, freshName, prefix, url } from "./redis.js"

/** How many EVALSHA and EVAL Redis has run (this server's `INFO commandstats`). */
const scriptsRun = (redis: Redis) =>
  Effect.promise(() => redis.info("commandstats")).pipe(
    Effect.map((info) => {
      let calls = 0
      for (const match of info.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) calls += Number(match[1])
      return calls
    })
  )

describe("RedisRateLimiter, a wait above 2^63 µs", { concurrent: false }, () => {
  for (const algorithm of ["gcra", "token-bucket"] as const) {
    it.live(`${algorithm}: the head waiting through a shrink does not ask Redis every millisecond`, () =>
      Effect.scoped(Effect.gen(function*() {
        const redis = yield* client
        const name = yield* freshName(`review10-wait-overflow-${algorithm}`)
        const limiter = yield* RedisRateLimiter.make({
          name,
          prefix,
          url: url(),
          algorithm,
          limit: 10_000,
          burst: 10_000,
          interval: Duration.millis(MAX_INTERVAL_MILLIS)
        })
        yield* limiter.withCost(3_000)(Effect.void)
        // waits (30 years on these numbers): the head of this process's line
        const big = yield* Effect.forkChild(limiter.withCost(10_000)(Effect.void))
        yield* Effect.sleep("200 millis")
        assert.strictEqual((yield* limiter.stats).waiting, 1)
        // what is owed is kept, paid at 1 per 100 years: the head now waits 300,000 years
        yield* limiter.resize({ limit: 1 })
        yield* Effect.sleep("200 millis")
        const before = yield* scriptsRun(redis)
        yield* Effect.sleep("500 millis")
        const asked = (yield* scriptsRun(redis)) - before - 1 // the INFO itself is no script
        assert.isAtMost(asked, 10, `the line asked Redis ${asked} times in 500 ms for a head that must wait for ever`)
        assert.isUndefined(big.pollUnsafe())
        yield* Fiber.interrupt(big)
      })))
  }
})
