/**
 * From the fifth review (failed before its fix): GCRA keeps its times in "milliseconds × limit" as plain numbers. At an
 * epoch-sized clock reading (any real date: about 1.8e12 ms) they are far above 2^53, so adding an
 * emission interval (`interval` units) to `tat` is rounded: for a limit of 10,000,000 per second
 * the step of 1000 units is below half an ulp (2048 at 1.8e19) and `tat` never advances — every
 * start is allowed; for 100,000 per second each start books 992 units instead of 1000, so 0.8 %
 * more starts than the limit allows. On a TestClock at 0 the same limiter is exact.
 *
 * Promises (README, "Guarantees"): gcra — "between any earlier start `s` and a start at `t`, the
 * cost started, this one's included, is at most `burst + limit × (t − s) / interval`";
 * "Arithmetic is on integers: … GCRA times by the limit. Nothing drifts by rounding." `limit` may be
 * any integer ≥ 1 (`InvalidOptions` otherwise).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

/** 1 Jan 2026, 00:00 UTC: a reading of any real clock today. */
const today = Date.UTC(2026, 0, 1)

/** Yields until `count()` stops growing: the taker waits for the clock (or has nothing left to take). */
const untilStill = (count: () => number) =>
  Effect.gen(function*() {
    let before = -1
    while (count() !== before) {
      before = count()
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow
    }
  })

/** How many of `tries` takes (one after another) start without the clock moving, from `at`. */
const startsAtOneReading = (at: number, tries: number) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(at)
    const limiter = yield* RateLimiter.make({ limit: 10_000_000, interval: "1 second", algorithm: "gcra" })
    let started = 0
    const taker = yield* Effect.forkChild(Effect.forEach(
      Array.from({ length: tries }),
      () => Effect.andThen(limiter.take(), Effect.sync(() => void started++)),
      { discard: true }
    ))
    yield* untilStill(() => started)
    yield* Fiber.interrupt(taker)
    return started
  })

/** Starts from `at` to `at + 200` of a taker that never stops, limit 100,000 per second, burst 1000. */
const startsIn200Millis = (at: number) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(at)
    const limiter = yield* RateLimiter.make({ limit: 100_000, interval: "1 second", algorithm: "gcra", burst: 1000 })
    const starts: Array<number> = []
    const taker = yield* Effect.forkChild(Effect.forever(
      Effect.andThen(
        limiter.take(),
        Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void starts.push(now - at)))
      )
    ))
    yield* untilStill(() => starts.length)
    for (let ms = 0; ms < 200; ms++) {
      yield* TestClock.adjust("1 millis")
      yield* untilStill(() => starts.length) // the limiter, not the scheduler, holds the taker back
    }
    yield* Fiber.interrupt(taker)
    return starts.filter((t) => t <= 200).length
  })

describe("GCRA at an epoch-sized time", () => {
  it.effect("limit 10,000,000 per second, burst 1: at one clock reading at most burst + limit × 1 ms / interval start", () =>
    Effect.gen(function*() {
      // at 0, exact: one start, the next one 1 ms later (the clock reads whole ms)
      assert.strictEqual(yield* startsAtOneReading(0, 30_000), 1)
      // the bound, with the whole millisecond a reading may hide: 1 + 10,000,000 × 1 / 1000 = 10,001.
      // fails: 30,000 — `tat` never advances, there is no limit at all
      assert.isAtMost(yield* startsAtOneReading(today, 30_000), 10_001, "GCRA let every start through")
    }))

  it.effect("limit 100,000 per second, burst 1000: the starts in 200 ms keep burst + limit × 200 / interval", () =>
    Effect.gen(function*() {
      // the starts read from 0 to 200: at most 1000 + 100,000 × 200 / 1000 = 21,000 (21,100 with
      // the millisecond a reading may hide). At 0 the limiter is exact:
      assert.strictEqual(yield* startsIn200Millis(0), 21_000)
      // fails: 21,169 — each start books 992 units instead of 1000
      const today200 = yield* startsIn200Millis(today)
      assert.isAtMost(today200, 21_100, `${today200} starts within 200 ms`)
    }))
})
