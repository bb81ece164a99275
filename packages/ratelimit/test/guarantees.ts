/**
 * Each algorithm's guarantee written out as a condition on the list of starts, apart from the
 * limiter's own code: used by the property tests and by the schedule explorer's tests.
 */
import { assert } from "@effect/vitest"
import type * as RateLimiter from "../src/RateLimiter.js"

export interface Start {
  readonly at: number
  readonly cost: number
}

type Options = RateLimiter.RateLimiter.Resolved

/**
 * Whether a start of `cost` at `at` keeps the algorithm's guarantee, given the earlier starts
 * (in start order, all at or before `at`). Integer arithmetic: quantities are scaled by the
 * interval or the limit, as rates are `limit / interval`.
 */
export const allowed = (options: Options, interval: number, starts: ReadonlyArray<Start>, at: number, cost: number) => {
  const { burst, limit } = options
  switch (options.algorithm) {
    case "sliding-window": {
      // no window [a, a + interval] of clock readings holds more than `limit` (so no real-time
      // window of length `interval`: a reading t means a time in [t, t + 1))
      let inside = cost
      for (const start of starts) if (start.at >= at - interval) inside += start.cost
      return inside <= limit
    }
    case "token-bucket": {
      // every stretch from an earlier start to this one: at most burst + limit × length / interval
      if (cost > burst) return false
      let sum = cost
      for (let i = starts.length - 1; i >= 0; i--) {
        sum += starts[i]!.cost
        if (sum * interval > burst * interval + limit * (at - starts[i]!.at)) return false
      }
      return true
    }
    case "gcra": {
      // the costs since an earlier start, this one's included (at most the burst of it), at
      // interval / limit each, fit in the time since it plus the burst
      let sum = Math.min(cost, burst)
      for (let i = starts.length - 1; i >= 0; i--) {
        sum += starts[i]!.cost
        if (sum * interval > (at - starts[i]!.at) * limit + burst * interval) return false
      }
      return true
    }
  }
}

/** Asserts that every one of `starts` (in any order) kept the guarantee, given those before it. */
export const assertAllowed = (options: Options, interval: number, starts: ReadonlyArray<Start>, label = "") => {
  const ordered = [...starts].sort((a, b) => a.at - b.at)
  ordered.forEach((start, i) =>
    assert.isTrue(
      allowed(options, interval, ordered.slice(0, i), start.at, start.cost),
      `${label}a start at ${start.at} breaks the guarantee: ${JSON.stringify(ordered)}`
    )
  )
}
