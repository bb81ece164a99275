/**
 * From the eighth review (failed before its fix): a `stats` read on a clock ahead made the sliding
 * window and the token bucket forget their past starts, so a burst over the limit went through.
 *
 * The sixth review fixed this for GCRA ("GCRA reads move nothing": a read on a clock ahead of the
 * limiter's must not change when later starts may happen, see RateLimiterGcraOtherClock.test.ts,
 * whose header notes that "the sliding window and the token bucket were already affected the other
 * way: such a read forgets the starts, so a burst goes through"). It still held for them:
 * `SlidingWindow.available` pruned its log at the reading, and `TokenBucket.available` refilled the
 * bucket up to the reading (and moved `last` there, so afterwards it did not refill at all until
 * the users' clock reached it). Reads now change nothing (see also KeyedRateLimiterReadOtherClock).
 *
 * Promises (README, "Guarantees"): "sliding-window (the default) is strict: no window of length
 * `interval` holds more than `limit` cost"; "token-bucket: … Between any two starts `s ≤ t`, the
 * cost started is at most `burst + limit × (t − s) / interval`"; `stats` is a report ("`limiter.stats`
 * reports the starts granted, the waiters, the capacity in use and the time left in a pause").
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"
import { hourAhead } from "./clocks.js"

describe("a stats read on a clock ahead (sliding window, token bucket)", () => {
  for (const algorithm of ["sliding-window", "token-bucket"] as const) {
    it.effect(`${algorithm}: the starts made still count after the read`, () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second", algorithm })
        yield* limiter.take(2) // t = 0: the limit is used up
        yield* Effect.provideService(limiter.stats, Clock.Clock, hourAhead) // a monitoring read
        const next = yield* Effect.forkChild(Effect.andThen(limiter.take(2), Clock.currentTimeMillis))
        yield* TestClock.adjust("10 seconds")
        const at = next.pollUnsafe() === undefined ? "still waiting" : yield* Fiber.join(next)
        // failed with 0: 4 started at t = 0 with a limit of 2 per second
        assert.strictEqual(at, algorithm === "sliding-window" ? 1001 : 1000, "after a read on another clock")
      }))
  }
})
