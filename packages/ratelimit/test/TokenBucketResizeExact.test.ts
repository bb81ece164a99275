/**
 * A token bucket's resizes round nothing (the eighth review found a fraction of a token dropped at
 * each resize of the interval, so round trips delayed starts, or held a waiter back for ever): on
 * the algorithm itself, random starts (costs above the burst too, which leave a debt) with resizes
 * away and back at random instants — to any interval and limit, and a burst at least as large,
 * which keeps every token — leave every later decision exactly where it is without them.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import { TokenBucket } from "../src/internal/algorithms.js"
import type { Algorithm } from "../src/internal/algorithms.js"

const scenario = Gen.record({
  burst: Gen.integer({ min: 1, max: 6 }),
  limit: Gen.integer({ min: 1, max: 7 }),
  interval: Gen.integer({ min: 1, max: 60 }),
  steps: Gen.array(
    Gen.record({
      gap: Gen.integer({ min: 0, max: 40 }),
      cost: Gen.integer({ min: 1, max: 8 }),
      // a round trip through other numbers at this instant, before the start
      away: Gen.option(
        Gen.record({
          interval: Gen.integer({ min: 1, max: 100_000 }),
          limit: Gen.integer({ min: 1, max: 1000 }),
          extraBurst: Gen.integer({ min: 0, max: 5 })
        }),
        { nil: undefined }
      )
    }),
    { minLength: 1, maxLength: 30 }
  )
})

describe("TokenBucket resized away and back", () => {
  it.effect.prop(
    "every later decision (when a start of each cost may come, what is available) is as without the round trips",
    [scenario],
    ([{ burst, interval, limit, steps }]) =>
      Effect.sync(() => {
        let plain: Algorithm = new TokenBucket(burst, limit, interval)
        let tripped: Algorithm = new TokenBucket(burst, limit, interval)
        let now = 0
        for (const [i, step] of steps.entries()) {
          now += step.gap
          if (step.away !== undefined) {
            const { extraBurst, interval: awayInterval, limit: awayLimit } = step.away
            tripped = tripped.resized(now, burst + extraBurst, awayLimit, awayInterval)
            tripped = tripped.resized(now, burst, limit, interval)
          }
          for (let cost = 1; cost <= burst + 1; cost++) {
            assert.strictEqual(tripped.earliest(now, cost), plain.earliest(now, cost), `step ${i}, cost ${cost}`)
          }
          assert.strictEqual(tripped.available(now), plain.available(now), `step ${i}: available`)
          assert.strictEqual(tripped.atRest(now), plain.atRest(now), `step ${i}: at rest`)
          // the start, when the bucket allows it (a cost above the burst: once it is full)
          now = plain.earliest(now, step.cost)
          plain.commit(now, step.cost)
          tripped.commit(now, step.cost)
        }
        // a resize of each to the same new numbers keeps them equal too
        plain = plain.resized(now, burst, limit + 1, interval * 2 + 1)
        tripped = tripped.resized(now, burst, limit + 1, interval * 2 + 1)
        assert.strictEqual(tripped.earliest(now, burst), plain.earliest(now, burst))
      }),
    { arbitrary: { runs: 300 } }
  )
})
