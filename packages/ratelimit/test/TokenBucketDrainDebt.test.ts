/**
 * From the eighth review (failed before its fix): a token-bucket `drain` after a start above a
 * shrunk burst made a wait shorter.
 *
 * A request whose cost is above a burst shrunk while it waited "starts alone, once nothing else
 * counts" and leaves the bucket in debt (below 0 tokens). `TokenBucket.drain` set the level to 0
 * unconditionally, so it *refilled* that debt: the next start comes earlier than without the drain.
 *
 * Promise (RateLimiter.ts JSDoc of `drain`): "A drain never makes any wait shorter".
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

/** When (ms from the limiter's making) the next start of 1 comes, after a cost of 10 started above a burst shrunk to 2; `drain` first or not. */
const nextStartAfterDebt = (drain: boolean) =>
  Effect.gen(function*() {
    const t0 = yield* Clock.currentTimeMillis
    const since = Effect.map(Clock.currentTimeMillis, (at) => at - t0)
    const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm: "token-bucket" })
    yield* limiter.take(10) // t = 0: the bucket is empty
    const big = yield* Effect.forkChild(Effect.andThen(limiter.take(10), since))
    yield* Effect.yieldNow // it holds the turn: 10 tokens at t = 1000
    yield* limiter.resize({ burst: 2 }) // 10 > 2: it starts alone once the bucket is full (2 tokens, t = 200)
    yield* TestClock.adjust("200 millis")
    assert.strictEqual(yield* Fiber.join(big), 200) // the bucket is 8 tokens in debt now
    if (drain) yield* limiter.drain
    const next = yield* Effect.forkChild(Effect.andThen(limiter.take(1), since))
    yield* TestClock.adjust("5 seconds")
    return yield* Fiber.join(next)
  })

describe("token bucket: drain after a start above a shrunk burst", () => {
  it.effect("the next start does not come earlier with a drain than without one", () =>
    Effect.gen(function*() {
      const plain = yield* nextStartAfterDebt(false)
      const drained = yield* nextStartAfterDebt(true)
      assert.strictEqual(plain, 1100) // 9 tokens to refill at 10 per second
      // failed with 300: the drain set the level from -8 tokens up to 0
      assert.isAtLeast(drained, plain, "the drain made the wait shorter")
    }))
})
