/**
 * Review-10 regression test (failed before the fix: GCRA's resize now rounds the time booked up
 * to a whole unit and carries by how much aside, exactly — see `Gcra.resized`).
 *
 * Review of api-1.0 (ninth review, GCRA): a resize — even to the very same numbers — makes the next
 * start a millisecond late, because `Gcra.resized` converts the time booked ahead in floating point.
 *
 * `next.ahead = (this.ahead / this.interval) * interval`: with 1 per 25 ms, 14 units booked ahead
 * (a start at 0, read at 11) become `(14 / 25) * 25 = 14.000000000000002`, and `earliest` takes
 * `Math.ceil(needed / limit)` = 15 ms instead of 14: the start waits until 26, not 25. Any resize
 * (a controller re-applying its current numbers, `resize({})`, a burst change) does it whenever the
 * quotient does not round-trip (14/25, 7/25, 5/147, …).
 *
 * Promises (README, "Guarantees"): "Arithmetic is on integers: … GCRA times by the limit (kept
 * relative to the last clock reading, so they stay exact at any date). Nothing drifts by rounding
 * while `burst × interval` (in milliseconds) stays below 2^53" (here 25); "All three are
 * **work-conserving**: a request starts as soon as its algorithm allows, to the millisecond";
 * (Resize) "GCRA keeps the emission intervals it has booked, at the new length" — the same length
 * here, so nothing should move. The "gcra" bound: each start comes at least
 * `cost × interval / limit` after the previous one — 25 ms, so 25 is allowed.
 *
 * The same conversion also rounds the other way, and then a start comes EARLY: 1000 starts at 0
 * (burst 1000, 1 per 1,000,001 ms), a resize to 1 per 10,000,011 ms at 1,000,000 ms — exactly
 * 999 + 1/1,000,001 emission intervals are still booked, and a start of 1 must wait until at most
 * 999 are: 10,000,011 / 1,000,001 = 10.00001 ms, so not before 1,000,011. The float
 * `(ahead / interval) * interval` (≈ 10^10 units) drops the 1/1,000,001 and lets it start at
 * 1,000,010. Promise (README, "Guarantees"): "beyond that [2^53] a start may come up to a
 * millisecond late, never early" — here `burst × interval` ≈ 10^10, far below 2^53. Measured as
 * the README's token-bucket/GCRA bound with the rate in force at each moment, the 1001 cost
 * started in [0, 1,000,010] exceeds `burst` + what refilled (1000 + 0.9999999999999 …).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("GCRA: a resize converts the time booked ahead in floating point", () => {
  it.effect("1 per 25 ms: resize({ limit: 1 }) at 11 ms leaves the next start at 25", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "25 millis", algorithm: "gcra" })
      yield* limiter.take() // at 0: the next start at 25
      yield* TestClock.adjust("11 millis")
      yield* limiter.resize({ limit: 1 }) // the numbers it already has
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      yield* TestClock.adjust("100 millis")
      // failed before the fix: 26 — 14 units booked ahead became 14.000000000000002 through the resize
      assert.strictEqual(yield* Fiber.join(next), 25)
    }))

  it.effect("without the resize, the same start comes at 25 (the reference)", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "25 millis", algorithm: "gcra" })
      yield* limiter.take()
      yield* TestClock.adjust("11 millis")
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      yield* TestClock.adjust("100 millis")
      assert.strictEqual(yield* Fiber.join(next), 25)
    }))

  it.effect("burst 1000, 1 per 1,000,001 ms, resized to 1 per 10,000,011 ms: the next start not before 1,000,011", () =>
    Effect.gen(function*() {
      const [before, after, burst] = [1_000_001, 10_000_011, 1000]
      const limiter = yield* RateLimiter.make({ limit: 1, burst, interval: `${before} millis`, algorithm: "gcra" })
      for (let i = 0; i < burst; i++) yield* limiter.take() // at 0: the whole burst
      yield* TestClock.adjust("1000000 millis")
      yield* limiter.resize({ interval: `${after} millis` })
      const next = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      yield* TestClock.adjust("100 millis")
      const at = yield* Fiber.join(next)
      // the emission intervals booked at 1,000,000: burst - 1,000,000 / before = 999 + 1 / before;
      // a start of 1 waits until 999 are, (1 / before) × after ms: after / before ms, not a whole one
      const waited = BigInt(at - 1_000_000)
      const paid = waited * BigInt(before) >= BigInt(after) // waited ≥ after / before
      assert.isFalse(BigInt(10) * BigInt(before) >= BigInt(after), "10 ms do not pay 1 / before of an interval")
      // failed before the fix: it started at 1,000,010, 10 ms after the resize — before the booked sliver was paid
      assert.isTrue(paid, `the start came at ${at}, ${waited} ms after the resize; ${after} / ${before} ms needed`)
    }))
})
