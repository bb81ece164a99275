/**
 * From the sixth review (failed before its fix): GCRA's `resized` rounds the time booked ahead up to a whole unit of the new
 * numbers (`Math.ceil((ahead / interval) * newInterval)`, units of ms × limit). With a small limit
 * a unit is a whole millisecond, or a whole emission interval: a sliver of an interval still booked
 * (1 ms of a 1-minute interval = 1/60,000 of it) becomes 1 ms of a 1-second interval = 1/1000 of
 * it, and on the way back 60 ms. A resize away and back at one instant multiplies what is owed by
 * up to the ratio of the intervals; round trips more often than that ratio (every 50 ms here) keep
 * the wait from ever ending.
 *
 * Promises (JSDoc of `RateLimiter.resize`): "GCRA keeps the emission intervals it has booked
 * ahead, each now the new length"; README, "Guarantees": "All three are **work-conserving**: a
 * request starts as soon as its algorithm allows, to the millisecond".
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

const minute = { limit: 1, interval: "1 minute", algorithm: "gcra" } as const

describe("GCRA resized away and back", () => {
  it.effect("1 per minute: a round trip to 1 per second at 59,999 ms keeps the 1 ms still owed, not 60", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make(minute)
      yield* limiter.take() // at 0: the next start at 60,000
      yield* TestClock.adjust("59999 millis")
      yield* limiter.resize({ interval: "1 second" }) // 1/60,000 of an interval owed: 1/60 ms now
      yield* limiter.resize({ interval: "1 minute" }) // and back: 1 ms again
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      yield* TestClock.adjust("1 second")
      const at = yield* Fiber.join(next)
      // a millisecond of rounding at most; fails: 60,059 — the 1 ms owed came back as 60 ms
      assert.isAtMost(at, 60_001, `the next start came at ${at}`)
    }))

  it.effect("1 per minute: round trips every 50 ms from 59,950 ms hold the next start back for ever", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make(minute)
      yield* limiter.take()
      yield* TestClock.adjust("59950 millis")
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      // 2,000 round trips, 100 s: without them the start comes at 60,000
      for (let i = 0; i < 2_000; i++) {
        yield* limiter.resize({ interval: "1 second" })
        yield* limiter.resize({ interval: "1 minute" })
        yield* TestClock.adjust("50 millis")
      }
      const started = next.pollUnsafe()
      // fails: still waiting at 159,950 ms — each round trip turns the 10 ms left into 60 again
      assert.isDefined(started, "the request never started while the round trips went on")
      assert.isAtMost(yield* Fiber.join(next), 60_001)
    }))
})
