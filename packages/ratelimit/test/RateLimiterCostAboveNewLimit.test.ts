/**
 * From the eighth review: a token-bucket request whose cost is above a `limit` shrunk while it
 * waited (burst unchanged) did not start "alone, once nothing else counts", as the JSDoc of
 * `resize` said — it started as soon as the bucket held its cost. The review's test asked for the
 * code to wait for a full bucket; the sentence was wrong instead: such a cost is within the burst,
 * so the token bucket's bound (and GCRA's) allows it as soon as its tokens are back, and waiting
 * longer would break "All three are work-conserving" (README, "Guarantees"). The docs now say that
 * a cost above the new `burst` (the sliding window's `limit`) starts alone, and one within it waits
 * as any other, even above the new `limit`; this test pins that, for both algorithms with a burst.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"
import { allowed } from "./guarantees.js"

describe("a waiting cost above a limit shrunk under it, within the burst", () => {
  for (const algorithm of ["token-bucket", "gcra"] as const) {
    it.effect(`${algorithm}: it starts as soon as the bound allows, not later`, () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm, burst: 10 })
        yield* limiter.take(10) // t = 0: the burst is used up
        const big = yield* Effect.forkChild(Effect.andThen(limiter.withCost(5)(Effect.void), Clock.currentTimeMillis))
        yield* Effect.yieldNow
        yield* limiter.resize({ limit: 2 }) // withCost takes at most 2 now; the burst stays 10
        yield* TestClock.adjust("10 seconds")
        const at = yield* Fiber.join(big)
        const earlier = [{ at: 0, cost: 10 }]
        assert.isTrue(allowed(limiter.options, 1000, earlier, at, 5), `the start at ${at} breaks the bound`)
        assert.isFalse(allowed(limiter.options, 1000, earlier, at - 1, 5), `it could start at ${at - 1}`)
        assert.strictEqual(at, 2500) // 5 tokens (emission intervals) back at 2 per second: not alone, at 5000
        const refused = yield* Effect.exit(limiter.withCost(5)(Effect.void))
        assert.isTrue(Exit.hasDies(refused), "a new request of cost 5 is a defect now")
      }))
  }
})
