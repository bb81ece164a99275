import { describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import * as RateLimiter from "../src/RateLimiter.js"
import { checkFifo, runRequests } from "./requestRun.js"

/**
 * Random arrival patterns, costs and interruptions against each algorithm, on the TestClock.
 * The checks do not reuse the limiter's code: each algorithm's guarantee is written out (in
 * `guarantees.ts`) as a condition on the list of starts, and serves both to check every start (safety) and to
 * check that none could have started a millisecond earlier (work conservation).
 */

const scenario = Gen.record({
  algorithm: Gen.constantFrom<RateLimiter.RateLimiter.Algorithm>("sliding-window", "token-bucket", "gcra"),
  limit: Gen.integer({ min: 1, max: 5 }),
  interval: Gen.integer({ min: 1, max: 40 }),
  burst: Gen.integer({ min: 1, max: 6 }),
  requests: Gen.array(
    Gen.record({
      gap: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 60 })),
      cost: Gen.integer({ min: 1, max: 5 }),
      interruptAfter: Gen.option(Gen.integer({ min: 0, max: 80 }), { nil: undefined })
    }),
    { minLength: 1, maxLength: 25 }
  )
})

describe("RateLimiter properties", () => {
  it.effect.prop(
    "each algorithm keeps its guarantee, starts in FIFO order, and starts every request as early as that allows",
    [scenario],
    ([{ algorithm, burst, interval, limit, requests }]) =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({
          limit,
          interval,
          algorithm,
          ...(algorithm === "sliding-window" ? {} : { burst })
        })
        const most = algorithm === "token-bucket" ? Math.min(limit, limiter.options.burst) : limit
        const run = yield* runRequests(limiter, requests, (request) => 1 + ((request.cost - 1) % most))
        // FIFO, every request started or interrupted while it waited, each algorithm's guarantee
        // at every start, and no start later than necessary
        checkFifo(limiter.options, interval, run, yield* limiter.stats)
      }),
    { arbitrary: { runs: 200 }, timeout: 120_000 }
  )
})
