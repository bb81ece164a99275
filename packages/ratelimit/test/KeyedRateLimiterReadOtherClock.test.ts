/**
 * From the eighth review (failed before its fix): a read of a `KeyedRateLimiter` — `stats`,
 * `awaitIdle`, `awaitSizeBelow` of any key — on a clock ahead of the limiter's users (another
 * fiber's `Clock`) swept the keys at that reading, so it forgot keys whose starts still count on the
 * users' clock: their next requests went through as on a new limiter, a burst over the limit.
 *
 * Promise (README, "Guarantees"): "`KeyedRateLimiter` forgets a key only when it has been idle for
 * `idleTimeout` and its past starts no longer count. Forgetting a key therefore never lets a burst
 * through". Reads are reports: they change nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import type * as RateLimiter from "../src/RateLimiter.js"
import { hourAhead } from "./clocks.js"

type Read = (keyed: KeyedRateLimiter.KeyedRateLimiter<string>) => Effect.Effect<unknown>

const reads: ReadonlyArray<readonly [string, Read]> = [
  ["stats of another key", (keyed) => keyed("b").stats],
  ["stats of the key itself", (keyed) => keyed("a").stats],
  ["awaitIdle of another key", (keyed) => keyed("b").awaitIdle],
  ["awaitSizeBelow of another key", (keyed) => keyed("b").awaitSizeBelow(1)]
]

/**
 * When (ms after the first) key "a"'s second request of cost 2 starts, the first having used its
 * limit; a read first, on a clock ahead, or not.
 */
const secondStart = (algorithm: RateLimiter.RateLimiter.Algorithm, read: Read | undefined) =>
  Effect.gen(function*() {
    const t0 = yield* Clock.currentTimeMillis
    const keyed = yield* KeyedRateLimiter.make<string>({
      limit: 2,
      interval: "1 second",
      algorithm,
      ...(algorithm === "gcra" ? { burst: 2 } : {}),
      idleTimeout: "10 millis"
    })
    yield* keyed("a").take(2) // t0: the limit of "a" is used up
    yield* TestClock.adjust("20 millis") // "a" idle for longer than idleTimeout, its starts still counting
    if (read !== undefined) yield* Effect.provideService(read(keyed), Clock.Clock, hourAhead)
    const next = yield* Effect.forkChild(Effect.andThen(keyed("a").take(2), Clock.currentTimeMillis))
    yield* TestClock.adjust("10 seconds")
    return (yield* Fiber.join(next)) - t0
  })

describe("KeyedRateLimiter: a read on a clock ahead", () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    for (const [name, read] of reads) {
      it.effect(`${algorithm}, ${name}: a key whose starts still count is not forgotten`, () =>
        Effect.gen(function*() {
          const without = yield* secondStart(algorithm, undefined)
          assert.isAtLeast(without, 1000, "the limit of 2 per second holds without the read")
          // failed with 20 for the reads of another key: "a" was forgotten, its next 2 started at once
          assert.strictEqual(yield* secondStart(algorithm, read), without, "the read changed when the start came")
        }))
    }
  }
})
