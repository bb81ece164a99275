/**
 * Review: `resize(sizes)` checks `sizes` when it is called but reads them again when the returned
 * effect runs, so the limits it sets are not the ones it checked. Promise (JSDoc of `resize`):
 * "Changes the limits while in use (each an integer ≥ 1, else `InvalidOptions` …)". An effect is
 * a description run later (and possibly again): a settings object updated in between — a reloaded
 * configuration — sets a `perKey` of 0 or NaN, which no effect of any key can enter.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

describe("review: KeyedConcurrencyLimiter.resize sets only limits it checked", () => {
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
})
