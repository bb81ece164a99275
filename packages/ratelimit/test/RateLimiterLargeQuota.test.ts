/**
 * From the sixth review, kept as the documented limit of exactness (README, "Guarantees"): the
 * token bucket's level (tokens × interval) and GCRA's `ahead` (ms × limit)
 * are plain numbers. With `burst × interval` above 2^53 — a daily quota of more than about 10^8
 * with the whole quota as burst, e.g. 10 GB a day counted in bytes — they are rounded, and a start
 * that is due exactly when the bucket is full again comes 1 ms late. (The fifth review's fix made
 * GCRA relative to the last reading; the size of `burst × interval` itself was left.)
 *
 * Promises (README, "Guarantees"): "All three are **work-conserving**: a request starts as soon as
 * its algorithm allows, to the millisecond"; "Arithmetic is on integers … (kept relative to the
 * last clock reading, so they stay exact at any date). Nothing drifts by rounding."; token bucket:
 * "refills continuously at `limit / interval`" (a full refill of `burst = limit` takes exactly
 * `interval`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

const day = 86_400_000

/** Takes the whole quota at the start, asks for it again `asked` ms later: when (ms after the start) it starts. */
const secondFullStart = (options: RateLimiter.RateLimiter.Options, quota: number, asked: number, from: number) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(from)
    const limiter = yield* RateLimiter.make(options)
    const t0 = yield* Clock.currentTimeMillis
    yield* limiter.take(quota)
    yield* TestClock.adjust(asked)
    const next = yield* Effect.forkChild(Effect.andThen(limiter.take(quota), Clock.currentTimeMillis))
    yield* TestClock.adjust(2 * day)
    return (yield* Fiber.join(next)) - t0
  })

/** The README's promise past 2^53: a start may come up to 1 ms late, never early. */
const lateByAtMostOne = (startedAt: number, due: number) => assert.include([due, due + 1], startedAt)

describe("a large daily quota with its whole burst (burst × interval above 2^53)", () => {
  it.effect("token bucket, 10,000,000,001 a day: the whole burst again one day after the first, at most 1 ms late", () =>
    Effect.gen(function*() {
      const quota = 10_000_000_001
      const options = { limit: quota, interval: "1 day", algorithm: "token-bucket", burst: quota } as const
      lateByAtMostOne(yield* secondFullStart(options, quota, 66_988_863, 0), day) // 86,400,001 seen
    }))

  it.effect("GCRA, 123,456,789 a day, burst the same: the whole burst again one day after the first, at most 1 ms late", () =>
    Effect.gen(function*() {
      const quota = 123_456_789
      const options = { limit: quota, interval: "1 day", algorithm: "gcra", burst: quota } as const
      lateByAtMostOne(yield* secondFullStart(options, quota, 3_932_969, 0), day) // 86,400,001 seen
    }))
})
