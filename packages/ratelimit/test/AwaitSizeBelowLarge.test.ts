/**
 * From the eighth review (died before its fix): `awaitSizeBelow(size)` takes "an integer ≥ 1"
 * (JSDoc, README "Errors"), but the check was `Number.isSafeInteger`: `2 ** 53`, an integer and a
 * natural "no bound", died with `IllegalArgumentError`. (As `JoinableQueue.takeUpTo` takes one.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

describe("awaitSizeBelow of an integer past 2^53", () => {
  it.effect("returns at once, for the rate, keyed rate and concurrency limiters; Infinity is still a defect", () =>
    Effect.gen(function*() {
      const rate = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      const keyed = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second" })
      const concurrency = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      const waits = [rate.awaitSizeBelow, keyed("a").awaitSizeBelow, concurrency.awaitSizeBelow]
      for (const [i, awaitSizeBelow] of waits.entries()) {
        for (const size of [2 ** 53, 2 ** 60]) {
          assert.isTrue(Exit.isSuccess(yield* Effect.exit(awaitSizeBelow(size))), `limiter ${i}, size ${size}`)
        }
        assert.isTrue(Exit.hasDies(yield* Effect.exit(awaitSizeBelow(Number.POSITIVE_INFINITY))), `limiter ${i}`)
      }
    }))
})
