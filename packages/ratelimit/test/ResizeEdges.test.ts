import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("resize", () => {
  // resize JSDoc "A request already waiting whose cost is above what the new numbers let start at
  // once — … the new `burst` for the token bucket … — starts alone, once nothing else counts"
  it.effect("token bucket: a waiter of cost 5 after a shrink of burst to 2 starts once the bucket is full", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second", algorithm: "token-bucket" })
      yield* limiter.take(5)
      const starts: Array<number> = []
      const fiber = yield* Effect.forkChild(
        limiter.withCost(5)(Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void starts.push(now))))
      )
      yield* TestClock.adjust("100 millis")
      yield* limiter.resize({ burst: 2 })
      yield* TestClock.adjust("1 minute")
      assert.isDefined(fiber.pollUnsafe(), "the waiter of cost 5 never starts")
      assert.strictEqual(starts.length, 1)
    }))

  // same, and FIFO: a waiter above the new burst must not block everyone behind it forever
  it.effect("token bucket: requests behind a waiter of cost above the new burst are not blocked forever", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second", algorithm: "token-bucket" })
      yield* limiter.take(5)
      yield* Effect.forkChild(limiter.take(5))
      yield* Effect.yieldNow
      const small = yield* Effect.forkChild(limiter.take(1))
      yield* TestClock.adjust("100 millis")
      yield* limiter.resize({ burst: 2 })
      yield* TestClock.adjust("1 minute")
      assert.isDefined(small.pollUnsafe(), "a take(1) behind it waits forever")
    }))
})

describe("resize × pause × interruption", () => {
  const record = (limiter: RateLimiter.RateLimiter, starts: Array<number>, cost = 1) =>
    limiter.withCost(cost)(Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void starts.push(now))))

  it.effect("the holder interrupted while it sleeps; a grow then lets the next one in at once", () =>
    Effect.gen(function*() {
      for (const [algorithm, expected] of [["sliding-window", 200], ["gcra", 208]] as const) {
        const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", algorithm })
        const base = yield* Clock.currentTimeMillis
        yield* limiter.take()
        const starts: Array<number> = []
        const a = yield* Effect.forkChild(record(limiter, starts))
        yield* Effect.yieldNow
        const b = yield* Effect.forkChild(record(limiter, starts))
        yield* TestClock.adjust("100 millis")
        yield* Fiber.interrupt(a)
        yield* TestClock.adjust("100 millis")
        yield* limiter.resize({ limit: 100 }) // GCRA: the 0.8 emission interval still booked is 8 ms long now
        yield* Effect.yieldNow
        yield* Effect.yieldNow
        assert.deepStrictEqual(starts.map((t) => t - base), algorithm === "gcra" ? [] : [200], algorithm)
        yield* TestClock.adjust("8 millis")
        assert.deepStrictEqual(starts.map((t) => t - base), [expected], algorithm)
        yield* Fiber.join(b)
      }
    }))

  it.effect("a grow during a pause does not cut the pause short; the waiters start in order at its end", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      const starts: Array<number> = []
      yield* limiter.pause("500 millis")
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.forkChild(record(limiter, starts)))
      yield* TestClock.adjust("100 millis")
      yield* limiter.resize({ limit: 10 })
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(starts, [])
      yield* TestClock.adjust("300 millis")
      yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(starts, [500, 500, 500])
    }))

  it.effect("shrink then grow in one instant: the waiting ones start at the grow", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second" })
      yield* limiter.take(2)
      const starts: Array<number> = []
      const fibers = yield* Effect.forEach([1, 2], () => Effect.forkChild(record(limiter, starts)))
      yield* TestClock.adjust("100 millis")
      yield* limiter.resize({ limit: 1 })
      yield* limiter.resize({ limit: 4 })
      yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(starts, [100, 100])
    }))

  it.effect("sliding window, a waiter of cost 3 after a shrink to 2 starts alone once the window is empty", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
      yield* limiter.take(1)
      const starts: Array<number> = []
      yield* TestClock.adjust("10 millis")
      yield* limiter.take(2)
      const big = yield* Effect.forkChild(record(limiter, starts, 3))
      yield* Effect.yieldNow
      const small = yield* Effect.forkChild(record(limiter, starts, 1))
      yield* TestClock.adjust("100 millis")
      yield* limiter.resize({ limit: 2 })
      yield* TestClock.adjust("5 seconds")
      yield* Fiber.join(big)
      yield* Fiber.join(small)
      assert.deepStrictEqual(starts, [1011, 2012])
    }))
})

describe("resize and stats", () => {
  // Stats.available is "the cost that could start now" — after a shrink below the starts in the window the sliding window reports a negative available
  it.effect("sliding window: after a shrink below what the window holds, stats.available is 0, not negative", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 4, interval: "1 second" })
      yield* limiter.take(3)
      yield* limiter.resize({ limit: 1 })
      const stats = yield* limiter.stats
      assert.strictEqual(stats.available, 0, `available ${stats.available}, usage ${stats.usage} of a capacity of 1`)
    }))
})
