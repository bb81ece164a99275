/**
 * From the third review (failed before the fix): `resize(sizes)` checked `sizes` when it was called
 * but read them again when the returned effect ran, so the limits it set were not the ones it
 * checked. Now a resize reads its sizes, and the limiter's numbers, once, when it runs. Promise (JSDoc of `resize`):
 * "Changes the limits while in use (each an integer ≥ 1, else `InvalidOptions` …)". An effect is
 * a description run later (and possibly again): a settings object updated in between — a reloaded
 * configuration — sets a `perKey` of 0 or NaN, which no effect of any key can enter.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

describe("a resize reads its sizes when it runs", () => {
  it.effect("a resize built from a settings object set to perKey 0 before it runs: InvalidOptions, limits unchanged", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 4 })
      const settings: { perKey: number } = { perKey: 3 }
      const apply = limit.resize(settings) // checked now: 3 is an integer ≥ 1
      settings.perKey = 0 // the settings change before the resize runs
      const exit = yield* Effect.exit(apply)
      assert.deepStrictEqual(
        { failed: Exit.isFailure(exit), perKey: limit.perKey },
        { failed: true, perKey: 2 },
        "resize set a perKey it never checked"
      )
    }))

  it.effect("RateLimiter: a resize built before another ran keeps what the other changed", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second" })
      const grow = limiter.resize({ limit: 5 }) // built now, run after the next one
      yield* limiter.resize({ interval: "2 seconds" })
      yield* grow
      // failed before the fix: the interval went back to 1 second, the numbers read when built
      assert.deepStrictEqual([limiter.options.limit, Duration.toMillis(limiter.options.interval)], [5, 2000])
    }))
})
