/**
 * From the sixth review (failed before its fix): the limiters now read the Clock's monotonic time floored to whole milliseconds
 * (`nowOf`). `pause(duration)` ends at `floor(now) + duration`: a pause asked 0.9 ms into a
 * millisecond ends 0.9 ms early — a request arriving 999.1 ms after `pause("1 second")` starts at
 * once. (Before the switch the TestClock's wall reading kept the fraction and the pause was exact;
 * the sliding window accounts for the millisecond a reading hides, the pause does not.)
 *
 * Promise (README, "Feedback from the server"): "`limiter.pause(duration)` …: no start is granted
 * until `duration` from now has passed, on the Clock (rounded up to whole milliseconds; the
 * TestClock drives it in tests)"; JSDoc of `pause` the same.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

const algorithms: ReadonlyArray<RateLimiter.RateLimiter.Algorithm> = ["sliding-window", "token-bucket", "gcra"]

describe("a pause asked within a millisecond", () => {
  for (const algorithm of algorithms) {
    it.effect(`${algorithm}: pause("1 second") 0.9 ms into a millisecond grants no start for a whole second`, () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm })
        yield* TestClock.adjust(Duration.micros(900n))
        const pausedAt = yield* Clock.monotonicTimeNanos
        yield* limiter.pause("1 second")
        yield* TestClock.adjust(Duration.micros(999_100n)) // 999.1 ms after the pause
        // a request arriving now (one already waiting sleeps from the fraction, and is not early)
        const started = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.monotonicTimeNanos))
        yield* TestClock.adjust("5 seconds")
        const elapsed = (yield* Fiber.join(started)) - pausedAt
        // fails: 999,100,000 ns — the start came 0.9 ms before the pause ended
        assert.isTrue(elapsed >= 1_000_000_000n, `started ${elapsed} ns after a pause of 1 s`)
      }))
  }
})
