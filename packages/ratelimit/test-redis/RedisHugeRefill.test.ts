/**
 * Review-8 regression tests (the drains failed before the fix): a token bucket or GCRA whose refill
 * from empty takes 10^17 ms or more (burst / limit × interval: e.g. 1 per 100 years with a burst of
 * 100,000 — each number accepted by `make` or `resize`) failed every call that wrote its state with
 * `RedisLimiterUnavailable`, though Redis was up, the state written all the same.
 *
 * README ("Redis unreachable"): `RedisLimiterUnavailable` is for "When Redis cannot be reached, a
 * command fails, or no reply comes". JSDoc of `drain`: "Empties the capacity available now, for
 * every process".
 *
 * The scripts gave the state key a time to live of the time to refill, in ms
 * (`PEXPIRE state math.ceil(micros / 1000) + 1000`); from 10^17 ms Redis wrote the number with an
 * exponent (`1.0000000000000001e+17`) and answered "ERR value is not an integer or out of range":
 * the script stopped after its `HSET` (scripts are not rolled back). Now every time to live goes
 * through `ttl` (`scripts.ts`): written as an integer, at most 2^53 − 1 ms.
 *
 * Deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit } from "effect"
import { MAX_INTERVAL_MILLIS } from "../src/internal/redis/rateLimiter.js"
import { MAX_TTL_MILLIS } from "../src/internal/redis/scripts.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { errorOf } from "./faults.js"
import { client, freshName, prefix, url } from "./redis.js"

/** A limiter of 1 per 100 years, with `burst`, and its name. */
const perCentury = (label: string, algorithm: "token-bucket" | "gcra", burst: number) =>
  Effect.gen(function*() {
    const name = yield* freshName(label)
    const limiter = yield* RedisRateLimiter.make({
      name,
      prefix,
      url: url(),
      algorithm,
      limit: 1,
      interval: Duration.millis(MAX_INTERVAL_MILLIS),
      burst
    })
    return { name, limiter }
  })

describe("RedisRateLimiter: a refill longer than 10^17 ms", { concurrent: false }, () => {
  for (const algorithm of ["token-bucket", "gcra"] as const) {
    it.live(`${algorithm}: drain succeeds (1 per 100 years, burst 100,000)`, () =>
      Effect.scoped(Effect.gen(function*() {
        const { limiter } = yield* perCentury(`huge-refill-${algorithm}`, algorithm, 100_000)
        assert.deepStrictEqual(yield* Effect.exit(limiter.take()), Exit.void)
        const drained = yield* Effect.exit(limiter.drain)
        assert.deepStrictEqual(
          drained,
          Exit.void,
          `drain failed: ${String((errorOf(drained) as { cause?: unknown } | undefined)?.cause)}`
        )
        const stats = yield* limiter.stats
        assert.strictEqual(stats.available, 0)
      })))

    it.live(`${algorithm}: a resize raising the burst to 100,000 (1 per 100 years), then drain, succeed`, () =>
      Effect.scoped(Effect.gen(function*() {
        const { limiter, name } = yield* perCentury(`huge-refill-resize-${algorithm}`, algorithm, 1)
        assert.deepStrictEqual(yield* Effect.exit(limiter.take()), Exit.void)
        const resized = yield* Effect.exit(limiter.resize({ burst: 100_000 }))
        assert.deepStrictEqual(
          resized,
          Exit.void,
          `resize failed: ${String((errorOf(resized) as { cause?: unknown } | undefined)?.cause)}`
        )
        const drained = yield* Effect.exit(limiter.drain)
        assert.deepStrictEqual(
          drained,
          Exit.void,
          `drain failed: ${String((errorOf(drained) as { cause?: unknown } | undefined)?.cause)}`
        )
        assert.strictEqual((yield* limiter.stats).available, 0)
        // the state lives as long as the longest time to live, not for ever
        const redis = yield* client
        const keys = yield* Effect.promise(() => redis.keys(`${prefix}:${name}:*`))
        const ttls = yield* Effect.promise(() => Promise.all(keys.map((key) => redis.pttl(key))))
        for (const ttl of ttls) assert.isTrue(ttl > 0 && ttl <= MAX_TTL_MILLIS, `a time to live of ${ttl} ms`)
      })))
  }
})

describe("RedisConcurrencyLimiter: the longest lease", { concurrent: false }, () => {
  it.live("a lease of 2^53 − 1 ms is taken and released, each key given a time to live Redis accepts", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("huge-lease")
      const redis = yield* client
      const limiter = yield* RedisConcurrencyLimiter.make({
        name,
        prefix,
        url: url(),
        concurrency: 1,
        leaseTime: Duration.millis(Number.MAX_SAFE_INTEGER)
      })
      const ttls = yield* limiter(Effect.promise(async () => {
        const keys = await redis.keys(`${prefix}:${name}:*`)
        return Promise.all(keys.map((key) => redis.pttl(key)))
      }))
      assert.isAbove(ttls.length, 0)
      for (const ttl of ttls) assert.isTrue(ttl > 0 && ttl <= MAX_TTL_MILLIS, `a time to live of ${ttl} ms`)
      assert.strictEqual(yield* limiter.inside, 0)
    })))
})
