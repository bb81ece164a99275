/**
 * Review-10 regression test (failed before the fix: a token bucket's resize now keeps whole units
 * in plain numbers and the fraction of one aside, exactly — no fallback, no float product).
 *
 * Review of api-1.0 (ninth review, token bucket): the rounding `TokenBucket.resized` falls back to
 * when its exact unit passes 2^53 is not "down": `Math.floor((level × interval) / unit)` computes the
 * product in floating point (here ≈ 2.8 × 10^17, past 2^53), which rounds up, and the floor then
 * lands one unit above the exact level. The next start comes a millisecond EARLY: before the bucket
 * holds the token.
 *
 * 1 per 999,983 ms, burst 1: a start at 0; resized to 1 per 1,000,003 ms at 175,997 ms and to
 * 1 per 1,000,033 ms at 282,664 ms (three primes: the exact unit would be their product, ≈ 10^18,
 * so the fallback runs). The bucket then holds 175,997 / 999,983 + 106,667 / 1,000,003 tokens and
 * refills 1 / 1,000,033 a millisecond: the token is whole at 1,000,022 (checked below with BigInts),
 * but the start comes at 1,000,021.
 *
 * Promises: JSDoc of `TokenBucket.resized`: "Only past 2^53 is the level rounded, down: a start at
 * most a millisecond late, never early"; README, "Guarantees": "beyond that a start may come up to a
 * millisecond late, never early" (and "Nothing drifts by rounding while `burst × interval` … stays
 * below 2^53" — here `burst × interval` ≈ 10^6); token-bucket: "the bucket holds `burst` tokens and
 * refills continuously at `limit / interval`": with the rates in force, at most 1 +
 * (what refilled since 0, < 1) may start in [0, 1,000,021] — 2 did.
 */
import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("token bucket: the fallback rounding past 2^53", () => {
  it.effect("resized through three ~17-minute intervals: no start before the token is whole (1,000,022)", () =>
    Effect.gen(function*() {
      const [p1, p2, p3] = [999_983, 1_000_003, 1_000_033]
      const limiter = yield* RateLimiter.make({ limit: 1, interval: `${p1} millis`, algorithm: "token-bucket" })
      yield* limiter.take() // at 0: the bucket is empty
      yield* TestClock.adjust("175997 millis")
      yield* limiter.resize({ interval: `${p2} millis` })
      yield* TestClock.adjust("106667 millis") // at 282,664
      yield* limiter.resize({ interval: `${p3} millis` })
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      // the tokens at T ≥ 282,664, in units of 1 / (p1·p2·p3)
      const [b1, b2, b3] = [BigInt(p1), BigInt(p2), BigInt(p3)]
      const tokensAt = (T: number) => 175_997n * b2 * b3 + 106_667n * b1 * b3 + BigInt(T - 282_664) * b1 * b2
      const whole = b1 * b2 * b3
      assert.isTrue(tokensAt(1_000_021) < whole && tokensAt(1_000_022) >= whole, "the token is whole at 1,000,022")
      const at = yield* TestTime.run(Fiber.join(next))
      // failed before the fix: 1,000,021 — the fallback's float product rounded the level up by a unit
      assert.isAtLeast(at, 1_000_022, `the start came at ${at}, before the bucket held a token`)
    }))
})
