import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Cause, Clock, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

/** Runs `count` requests through `limit` at once and returns their start times, in ms from now (TestClock). */
const startTimes = (
  limit: (effect: Effect.Effect<number>) => Effect.Effect<number, unknown>,
  count: number
) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    TestTime.run(
      Effect.forEach(
        Array.from({ length: count }),
        () => limit(Effect.map(Clock.currentTimeMillis, (at) => at - now)),
        { concurrency: "unbounded" }
      )
    ))

describe("RateLimiter", () => {
  it.effect("sliding window: the limit starts at once, the rest when the oldest leave the window", () =>
    Effect.gen(function*() {
      const limit = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
      // a start read at 0 ms happened before 1 ms: the window it opens ends when the clock reads 1001
      assert.deepStrictEqual(yield* startTimes(limit, 8), [0, 0, 0, 1001, 1001, 1001, 2002, 2002])
    }))

  it.effect("token bucket: a burst of `burst`, then one start per interval / limit", () =>
    Effect.gen(function*() {
      const limit = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "token-bucket" })
      assert.deepStrictEqual(yield* startTimes(limit, 7), [0, 0, 0, 0, 250, 500, 750])
      const small = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "token-bucket", burst: 2 })
      assert.deepStrictEqual(yield* startTimes(small, 4), [0, 0, 250, 500])
    }))

  it.effect("gcra: starts evenly spaced; burst lets that many go back to back", () =>
    Effect.gen(function*() {
      const spaced = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "gcra" })
      assert.deepStrictEqual(yield* startTimes(spaced, 5), [0, 250, 500, 750, 1000])
      const bursty = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "gcra", burst: 3 })
      assert.deepStrictEqual(yield* startTimes(bursty, 5), [0, 0, 0, 250, 500])
    }))

  it.effect("gcra: a start counts its own cost against the burst; a cost above the burst starts alone", () =>
    Effect.gen(function*() {
      // an emission interval of 100 ms, a burst of 3
      const limit = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm: "gcra", burst: 3 })
      const starts = yield* TestTime.run(Effect.forEach(
        [2, 2, 5, 1],
        (cost) => limit.withCost(cost)(Clock.currentTimeMillis),
        { concurrency: "unbounded" }
      ))
      // 2 at 0 books 200 ms; the next 2 fits the burst of 3 once 100 ms are paid (not at 0: 4 back to
      // back); 5 waits until nothing is booked (400); 1 waits until 200 of the 500 booked are paid
      assert.deepStrictEqual(starts, [0, 100, 400, 700])
    }))

  it.effect("withCost counts a start as several; an impossible cost is a defect naming the range", () =>
    Effect.gen(function*() {
      const limit = yield* RateLimiter.make({ limit: 4, interval: "1 second" })
      const starts = yield* TestTime.run(Effect.forEach(
        [3, 2, 1],
        (cost) => limit.withCost(cost)(Clock.currentTimeMillis),
        { concurrency: "unbounded" }
      ))
      // 3 at 0; 2 does not fit until the 3 leave the window; 1 comes after it (first come, first served)
      assert.deepStrictEqual(starts, [0, 1001, 1001])
      for (const cost of [0, 5, 1.5]) {
        for (const call of [limit.withCost(cost)(Effect.void), limit.take(cost)]) {
          const exit = yield* Effect.exit(call)
          const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
          assert.isTrue(Cause.isIllegalArgumentError(defect), String(cost))
          assert.include(String((defect as Error).message), "an integer from 1 to 4")
        }
      }
    }))

  it.effect("a waiter interrupted before its start consumes nothing; the next one takes its turn", () =>
    Effect.gen(function*() {
      const limit = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      yield* limit.take()
      const first = yield* Effect.forkChild(limit(Clock.currentTimeMillis))
      const second = yield* Effect.forkChild(limit(Clock.currentTimeMillis))
      yield* TestClock.adjust(500)
      assert.strictEqual((yield* limit.stats).waiting, 2)
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust(501)
      assert.strictEqual(yield* Fiber.join(second), 1001)
      const stats = yield* limit.stats
      assert.deepStrictEqual(stats, { granted: 2, waiting: 0, available: 0, usage: 1, pausedFor: 0 })
    }))

  it.effect("catches up from the clock: starts owed while the fiber slept late all go at once", () =>
    Effect.gen(function*() {
      const limit = yield* RateLimiter.make({ limit: 10, interval: "100 millis", algorithm: "gcra" })
      yield* limit.take()
      yield* TestClock.adjust(1000) // nothing asked for a second: 10 starts' worth of time has passed
      // gcra without burst stays spaced: the next start at once, then every 10 ms again
      assert.deepStrictEqual(yield* startTimes(limit, 3), [0, 10, 20])
    }))

  it.effect("bad options fail InvalidOptions", () =>
    Effect.gen(function*() {
      const bad: ReadonlyArray<RateLimiter.RateLimiter.Options> = [
        { limit: 0, interval: "1 second" },
        { limit: 2.5, interval: "1 second" },
        { limit: 1, interval: 0 },
        { limit: 1, interval: "1500 micros" },
        { limit: 1, interval: "1 second", burst: 2 },
        { limit: 1, interval: "1 second", algorithm: "gcra", burst: 0 },
        { limit: 1, interval: "1 second", algorithm: "leaky" as RateLimiter.RateLimiter.Algorithm }
      ]
      for (const options of bad) {
        const error = yield* Effect.flip(RateLimiter.make(options))
        assert.strictEqual(error._tag, "InvalidOptions", JSON.stringify(options))
      }
    }))
})
