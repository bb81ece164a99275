/**
 * From the eighth review (failed before its fix): a token bucket lost part of its tokens on each
 * resize of `interval`. (It now counts in a multiple of the interval when needed: see
 * TokenBucketResizeExact for the property.)
 *
 * `TokenBucket.resized` converted the level (tokens × interval) to the new interval with
 * `Math.floor(level × new / old)`: a fraction of a unit is dropped at every interval resize, and a
 * resize back to the same numbers does not give it back. The sixth review fixed the very same
 * round-trip drift for GCRA ("not rounded to a whole unit of the new numbers: a round trip through
 * a coarser interval would add up to a unit each way, and resizes back and forth could hold a start
 * back for ever"); the token bucket still rounded. Here, with 1 token per 3 ms, the third of a token
 * refilled in a millisecond is lost by a round trip 3 ms → 2 ms → 3 ms: a start comes a millisecond
 * late, and a round trip every millisecond (a controller steering the rate) holds the waiter back
 * for ever.
 *
 * Promises (README, "Steering a rate limit", Resize): "the token bucket keeps its tokens, up to the
 * new burst"; ("Guarantees") "Arithmetic is on integers: token levels are scaled by the interval …
 * Nothing drifts by rounding"; "All three are work-conserving: a request starts as soon as its
 * algorithm allows, to the millisecond".
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("token bucket: resizes of the interval back and forth", () => {
  it.effect("a round trip to the same numbers does not delay the next start", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "3 millis", algorithm: "token-bucket" })
      yield* limiter.take() // t = 0: empty; the next token is whole at t = 3
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      yield* Effect.yieldNow
      yield* TestClock.adjust("1 millis") // a third of a token refilled
      yield* limiter.resize({ interval: "2 millis" })
      yield* limiter.resize({ interval: "3 millis" }) // back to the numbers it was made with
      yield* TestClock.adjust("10 millis")
      // failed with 4: the third of a token refilled by t = 1 was dropped by the round trip
      assert.strictEqual(yield* Fiber.join(next), 3)
    }))

  it.effect("round trips every millisecond do not hold a waiter back for ever", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "3 millis", algorithm: "token-bucket" })
      yield* limiter.take()
      const next = yield* Effect.forkChild(limiter.take())
      yield* Effect.yieldNow
      // 100 ms of round trips, each ending on the numbers the limiter was made with (1 per 3 ms)
      for (let i = 0; i < 100; i++) {
        yield* TestClock.adjust("1 millis")
        yield* limiter.resize({ interval: "2 millis" })
        yield* limiter.resize({ interval: "3 millis" })
      }
      // failed: still waiting — each round trip dropped the third of a token refilled since the last
      assert.isDefined(next.pollUnsafe(), "no start in 100 ms at 1 per 3 ms (at most 2 ms of them at 1 per 2 ms)")
    }))
})
