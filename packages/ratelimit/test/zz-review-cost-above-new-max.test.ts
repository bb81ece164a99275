/**
 * Review 8 (failing; the code or the sentence is wrong): a token-bucket request whose cost is above
 * the new maximum after a shrink of `limit` does not start "alone, once nothing else counts".
 *
 * The new maximum cost of a token bucket is the smaller of `limit` and `burst` (`withCost`:
 * "an integer from 1 to `limit`; for a token bucket also at most `burst`"). `TokenBucket.earliest`
 * treats a cost as "above the capacity" only against `burst`, so a waiting cost of 5 after
 * `resize({ limit: 2 })` (burst still 10) starts as soon as 5 tokens are back — with 5 other
 * tokens' worth still counting — not once the bucket is full.
 *
 * Promise (JSDoc of `RateLimiter.resize`): "A request already waiting whose cost is above the new
 * maximum starts alone, once nothing else counts."
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("token bucket: a waiting cost above the limit shrunk under it", () => {
  it.effect("it starts once nothing else counts (the bucket full)", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm: "token-bucket" })
      yield* limiter.take(10) // t = 0: empty
      const big = yield* Effect.forkChild(Effect.andThen(limiter.withCost(5)(Effect.void), Clock.currentTimeMillis))
      yield* Effect.yieldNow
      yield* limiter.resize({ limit: 2 }) // the most a start may cost is now 2 (burst stays 10)
      yield* TestClock.adjust("10 seconds")
      // fails: 2500 — it started with 5 tokens back, the bucket (10, refilled at 2 per second) full at 5000
      assert.strictEqual(yield* Fiber.join(big), 5000)
    }))
})
