/**
 * Review-10 regression test (failed before the fix: a token bucket's resize now keeps whole units
 * of the new interval in plain numbers and the fraction of one aside, exactly — no growing unit).
 *
 * Review of api-1.0 (ninth review, token bucket): the exact `unit` of a token bucket overflows
 * 2^53 after a few resizes through coprime intervals, however small `burst × interval` is; the
 * level is then rounded down, and the rounding piles up: starts come later and later than the
 * bucket allows.
 *
 * `TokenBucket.resized` counts the level in the least multiple of the new interval and of the
 * denominator of the level in tokens. A bucket that refilled for a while at 1/p1 tokens per ms,
 * then at 1/p2, then at 1/p3 (p1, p2, p3 coprime) holds a fraction with denominator p1·p2·p3: three
 * intervals of ~10^6 ms (17 minutes), or fifteen small primes (2 ms … 47 ms), pass 2^53, and
 * `resized` falls back to `Math.floor(level × interval / unit)` — the "only past 2^53" rounding the
 * README reserves for `burst × interval` past 2^53. It is not bounded by a millisecond either: each
 * fallback drops part of a token again, and while the bucket never fills (steady demand) the losses
 * add up.
 *
 * Promises (README, "Guarantees"): "Arithmetic is on integers: token levels are scaled by the
 * interval (after a resize that leaves a fraction of a token the new interval cannot express, by a
 * multiple of it: resizes back and forth lose nothing) … Nothing drifts by rounding while
 * `burst × interval` (in milliseconds) stays below 2^53 … beyond that a start may come up to a
 * millisecond late, never early"; "All three are **work-conserving**: a request starts as soon as
 * its algorithm allows, to the millisecond"; (Resize) "the token bucket keeps its tokens, up to the
 * new burst". JSDoc of `TokenBucket.resized`: "Only past 2^53 is the level rounded, down: a start at
 * most a millisecond late, never early."
 *
 * The expected times come from an exact model (BigInt fractions) of the README's token bucket:
 * `burst` tokens, refilled continuously at `limit / interval`, a resize keeping the tokens (up to
 * the new burst) and refilling at the new rate from then on.
 */
import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"
import { ExactBucket } from "./exactModels.js"

describe("token bucket: resizes through coprime intervals", () => {
  it.effect("three intervals of ~17 minutes (burst 1): the next start comes at 999,984, as the tokens allow", () =>
    Effect.gen(function*() {
      const [p1, p2, p3] = [999_983, 1_000_003, 1_000_033] // primes; burst × interval ≈ 10^6, far below 2^53
      const limiter = yield* RateLimiter.make({ limit: 1, interval: `${p1} millis`, algorithm: "token-bucket" })
      yield* limiter.take() // t = 0: the bucket is empty
      yield* TestClock.adjust("1000 millis")
      yield* limiter.resize({ interval: `${p2} millis` }) // 1000 / p1 of a token refilled
      yield* TestClock.adjust("19162 millis")
      yield* limiter.resize({ interval: `${p3} millis` }) // + 19162 / p2: a fraction with denominator p1·p2
      yield* TestClock.adjust("1 millis")
      yield* limiter.resize({ interval: `${p1} millis` }) // + 1 / p3, and back to the first numbers
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      // the tokens at T (T ≥ 20,163), in units of 1 / (p1·p2·p3)
      const tokensAt = (T: number) =>
        1000n * BigInt(p2) * BigInt(p3) + 19_162n * BigInt(p1) * BigInt(p3) + BigInt(p1) * BigInt(p2) +
        BigInt(T - 20_163) * BigInt(p2) * BigInt(p3)
      const whole = BigInt(p1) * BigInt(p2) * BigInt(p3)
      assert.isTrue(tokensAt(999_983) < whole && tokensAt(999_984) >= whole, "the token is whole at 999,984")
      const at = yield* TestTime.run(Fiber.join(next))
      // failed before the fix: 999,985 — the resize to p1 found a unit of p1·p2·p3 > 2^53 and rounded the level down
      assert.strictEqual(at, 999_984)
    }))

  it.effect("small intervals (2 … 53 ms), burst 5, steady demand: every start as the tokens allow (it drifted 18 ms)", () =>
    Effect.gen(function*() {
      const primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53]
      const limiter = yield* RateLimiter.make({ limit: 3, burst: 5, interval: "2 millis", algorithm: "token-bucket" })
      const exact = new ExactBucket(5, 3, 2)
      // a controller changes the interval before each request; each request waits for its start
      const late = yield* TestTime.run(Effect.gen(function*() {
        const lateStarts: Array<{ step: number; at: number; expected: number }> = []
        for (let step = 0; step < 2000; step++) {
          const now = yield* Clock.currentTimeMillis
          const interval = primes[step % primes.length]!
          if (step > 0) {
            yield* limiter.resize({ interval: `${interval} millis` })
            exact.resize(now, 5, 3, interval)
          }
          const expected = exact.earliest(now, 1)
          yield* limiter.take()
          const at = yield* Clock.currentTimeMillis
          if (at !== expected) lateStarts.push({ step, at, expected })
          exact.start(at, 1) // the model follows the limiter's own starts
        }
        return lateStarts
      }))
      const worst = late.reduce((most, { at, expected }) => Math.max(most, at - expected), 0)
      // failed before the fix: from step 31 on, starts come late, and later and later (burst × interval ≤ 265)
      assert.strictEqual(worst, 0, `${late.length} starts late, first ${JSON.stringify(late.slice(0, 3))}`)
    }))
})
