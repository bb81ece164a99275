/**
 * Review 8 (failing tests): a token bucket or GCRA whose refill from empty takes longer than 10^17 ms
 * (burst / limit × interval: e.g. 1 per 100 years with a burst of 100,000 — each number accepted by
 * `make`) fails every call that writes its state with `RedisLimiterUnavailable`, though Redis is up.
 *
 * README ("Resize"): "Every number is sent exactly, up to `Number.MAX_SAFE_INTEGER` — except the
 * interval, which … is at most 100 years … a longer one is `InvalidOptions`". README ("Redis
 * unreachable"): `RedisLimiterUnavailable` is for "When Redis cannot be reached, a command fails, or
 * no reply comes". JSDoc of `drain`: "Empties the capacity available now, for every process".
 *
 * The scripts give the state key a time to live of the time to refill, in ms
 * (`PEXPIRE state math.ceil(micros / 1000) + 1000`); from 10^17 ms Lua writes the number with an
 * exponent (`1.0000000000000001e+17`) and Redis answers "ERR value is not an integer or out of
 * range": the script stops after its `HSET` (scripts are not rolled back), so the state is written,
 * and the caller gets `RedisLimiterUnavailable`. Options that make such a limiter should be
 * `InvalidOptions`, or the TTL capped; instead `drain` fails (having drained), and so does every
 * start that leaves that much to refill.
 *
 * Deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit } from "effect"
import { MAX_INTERVAL_MILLIS } from "../src/internal/redis/rateLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { errorOf } from "./faults.js"
import { freshName, prefix, url } from "./redis.js"

describe("RedisRateLimiter (review 8): a refill longer than 10^17 ms", { concurrent: false }, () => {
  for (const algorithm of ["token-bucket", "gcra"] as const) {
    it.live(`${algorithm}: drain succeeds (1 per 100 years, burst 100,000)`, () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName(`review8-huge-refill-${algorithm}`)
        const limiter = yield* RedisRateLimiter.make({
          name,
          prefix,
          url: url(),
          algorithm,
          limit: 1,
          interval: Duration.millis(MAX_INTERVAL_MILLIS),
          burst: 100_000
        })
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
  }
})
