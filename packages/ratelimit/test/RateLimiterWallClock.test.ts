/**
 * From the fifth review (failed before its fix): the local rate limiters time their starts on the wall clock
 * (`Clock.currentTimeMillis`), not the monotonic one. A wall clock stepped back (NTP correcting a
 * fast clock, a VM resumed, someone setting the date) leaves every past start "in the future":
 * the limiter then grants nothing until the wall clock has caught up — a one-minute step back
 * stalls it for a minute, on top of its interval. (`TestClock.setTime` to an earlier time moves the
 * wall clock back and leaves the monotonic clock where it was, as a real step would.)
 *
 * The aging ranks had the same defect and were moved to the monotonic clock (AgingClock.test.ts:
 * "a clock that stepped back … put later arrivals … ahead"); the Redis limiters' local deadlines
 * are on it too (README: "a wall clock stepped by NTP, forward or back, neither interrupts a
 * healthy holder nor makes it miss a renewal").
 *
 * Promises (README, "Guarantees"): "All three are **work-conserving**: a request starts as soon
 * as its algorithm allows, to the millisecond"; sliding window strict "in real time".
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

/** The monotonic clock in ms. */
const monotonicMillis = Effect.map(Clock.monotonicTimeNanos, (nanos) => Number(nanos / 1_000_000n))

const algorithms: ReadonlyArray<RateLimiter.RateLimiter.Options> = [
  { limit: 1, interval: "1 second" },
  { limit: 1, interval: "1 second", algorithm: "token-bucket" },
  { limit: 1, interval: "1 second", algorithm: "gcra" }
]

/** Real (monotonic) ms between a start and the next one, the wall clock stepped back 1 minute between. */
const gapAcrossAStepBack = (take: Effect.Effect<void, unknown>) =>
  Effect.gen(function*() {
    yield* take
    const first = yield* monotonicMillis
    yield* TestClock.setTime(3_540_000) // the wall clock steps back one minute; no real time passes
    const second = yield* Effect.forkChild(Effect.andThen(take, monotonicMillis))
    yield* TestClock.adjust("2 minutes")
    return (yield* Fiber.join(second)) - first
  })

describe("a wall clock stepped back", () => {
  for (const options of algorithms) {
    const algorithm = options.algorithm ?? "sliding-window"
    it.effect(`${algorithm}, 1 per second: the next start comes about 1 s of real time after the last, not 61 s`, () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(3_600_000)
        const limiter = yield* RateLimiter.make(options)
        const gap = yield* gapAcrossAStepBack(limiter.take())
        // fails: 61001 (sliding window), 61000 (token bucket, GCRA)
        assert.isAtMost(gap, 1001, `the next start came ${gap} ms of real time later`)
      }))
  }

  it.effect("KeyedRateLimiter, 1 per second per key: a key's next start comes about 1 s of real time later", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(3_600_000)
      const keyed = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second" })
      const gap = yield* gapAcrossAStepBack(keyed("api.example.com").take())
      // fails: 61001
      assert.isAtMost(gap, 1001, `the next start came ${gap} ms of real time later`)
    }))

  it.effect("a pause of 1 second lasts 1 second of real time across the step back, not 61", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(3_600_000)
      const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
      const t0 = yield* monotonicMillis
      yield* limiter.pause("1 second") // a 429 with Retry-After: 1
      yield* TestClock.setTime(3_540_000)
      const started = yield* Effect.forkChild(Effect.andThen(limiter.take(), monotonicMillis))
      yield* TestClock.adjust("2 minutes")
      const after = (yield* Fiber.join(started)) - t0
      // fails: 61000
      assert.isAtMost(after, 1000, `the start came ${after} ms of real time after a 1 s pause`)
    }))
})
