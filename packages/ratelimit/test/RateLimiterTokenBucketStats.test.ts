/**
 * From the fifth review (failed before its fix): after a request of a cost above a shrunk burst starts alone (as the
 * resize JSDoc promises), the token bucket's level is below zero, and `stats.available` — "the cost
 * that could start now" — reads negative (`TokenBucket.available` has no `Math.max(0, …)`, unlike
 * the sliding window's "0, not less, while a shrink leaves the window over" and GCRA's).
 * `usage`, "the capacity minus `available`", then reads above the capacity.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("token bucket stats after a cost above a shrunk burst", () => {
  it.effect("available is never below 0", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second", algorithm: "token-bucket" })
      yield* limiter.take(5) // t = 0: the bucket is empty
      const big = yield* Effect.forkChild(limiter.take(5)) // holds the turn: the bucket is full at 1000
      yield* Effect.yieldNow
      yield* limiter.resize({ burst: 2 }) // cost 5 > 2: it starts alone once the bucket (2) is full, at 400
      yield* TestClock.adjust("400 millis")
      yield* Fiber.join(big)
      const stats = yield* limiter.stats
      // fails: available -3, usage 5 (capacity 2)
      assert.isAtLeast(stats.available, 0, `available ${stats.available}, usage ${stats.usage}`)
      assert.isAtMost(stats.usage, limiter.options.burst)
    }))
})
