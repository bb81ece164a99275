import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

/** Starts `n` requests at once; the clock reading each one started at. */
const startAll = (limiter: RateLimiter.RateLimiter, n: number, starts: Array<number>) =>
  Effect.forkChild(
    Effect.forEach(
      Array.from({ length: n }),
      () => limiter(Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void starts.push(now)))),
      { concurrency: "unbounded", discard: true }
    )
  )

describe("RateLimiter.resize", () => {
  it.effect("a grow lets the waiting requests start at once", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second" })
      const starts: Array<number> = []
      const fiber = yield* startAll(limiter, 5, starts)
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(starts, [0, 0])
      yield* limiter.resize({ limit: 5 })
      // without moving the clock: the three waiting start at the resize, not at the end of the window
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(starts, [0, 0, 100, 100, 100])
      assert.strictEqual(limiter.options.limit, 5)
    }))

  it.effect("a shrink counts the starts already made against the new limit", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 4, interval: "1 second" })
      const starts: Array<number> = []
      yield* Fiber.join(yield* startAll(limiter, 3, starts))
      yield* limiter.resize({ limit: 2 })
      const later = yield* startAll(limiter, 2, starts)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(later)
      // 3 starts at 0 already exceed 2: the next ones wait for the window to clear
      assert.deepStrictEqual(starts, [0, 0, 0, 1001, 1001])
    }))

  it.effect("token bucket keeps its tokens (at most the new burst); GCRA keeps its booked intervals at the new pace", () =>
    Effect.gen(function*() {
      const bucket = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm: "token-bucket" })
      yield* Effect.forEach(Array.from({ length: 6 }), () => bucket.take())
      yield* bucket.resize({ burst: 3, limit: 1 })
      assert.strictEqual((yield* bucket.stats).available, 3)
      const gcra = yield* RateLimiter.make({ limit: 10, interval: "1 second", algorithm: "gcra" })
      yield* gcra.take() // books one interval of 100 ms
      yield* gcra.resize({ limit: 1 }) // one interval is 1 s now
      const starts: Array<number> = []
      const fiber = yield* startAll(gcra, 1, starts)
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(starts, [1000])
    }))

  it.effect("sizes out of range fail InvalidOptions and change nothing", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
      for (
        const sizes of [{ limit: 0 }, { interval: "0 millis" }, { burst: 2 }, { limit: 1.5 }] as Array<
          RateLimiter.RateLimiter.Sizes
        >
      ) {
        assert.strictEqual((yield* Effect.flip(limiter.resize(sizes)))._tag, "InvalidOptions")
      }
      assert.deepStrictEqual([limiter.options.limit, limiter.options.burst], [3, 3])
    }))

  it.effect("a KeyedRateLimiter resizes every key, and keys met later", () =>
    Effect.gen(function*() {
      const keyed = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second" })
      yield* keyed("a").take()
      yield* keyed("a").resize({ limit: 3 })
      yield* keyed("a").take()
      yield* keyed("a").take() // 3 at 0 on "a": allowed by the new limit
      assert.strictEqual((yield* keyed("b").stats).available, 3)
      assert.strictEqual(keyed("b").options.limit, 3)
    }))

  it.effect.prop(
    "property (sliding window): resizes at random moments — at each start, its window holds at most the limit in force then",
    [
      Gen.array(Gen.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 25 }),
      Gen.array(Gen.record({ at: Gen.integer({ min: 0, max: 300 }), limit: Gen.integer({ min: 1, max: 4 }) }), {
        maxLength: 4
      })
    ],
    ([arrivals, resizes]) =>
      Effect.gen(function*() {
        const interval = 100
        const limiter = yield* RateLimiter.make({ limit: 2, interval: `${interval} millis` })
        const starts: Array<number> = []
        const limits: Array<number> = []
        yield* TestTime.run(Effect.gen(function*() {
          const fibers = yield* Effect.forEach(arrivals, (at) =>
            Effect.forkChild(
              Effect.andThen(
                Effect.sleep(at),
                limiter(Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  Effect.sync(() => {
                    starts.push(now)
                    limits.push(limiter.options.limit)
                  })))
              )
            ))
          yield* Effect.forEach(resizes, (r) =>
            Effect.forkChild(Effect.andThen(
              Effect.sleep(r.at),
              limiter.resize({ limit: r.limit })
            )))
          yield* Fiber.joinAll(fibers)
        }))
        // the starts up to and including each one, in the window ending at it: at most the limit then
        starts.forEach((end, i) => {
          const inWindow = starts.slice(0, i + 1).filter((t) => t >= end - interval).length
          assert.isAtMost(inWindow, limits[i]!, `window ending ${end}: ${starts.join(",")}`)
        })
      }),
    { arbitrary: { runs: 80 }, timeout: 30_000 }
  )
})

describe("RateLimiter.withPriority", () => {
  it.effect("waiting requests start by priority, equal ones in order; the turn holder keeps its turn", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis" })
      const order: Array<string> = []
      const request = (name: string, priority: number) =>
        Effect.forkChild(limiter.withPriority(priority)(Effect.sync(() => void order.push(name))))
      yield* limiter.take() // the window is full: every request below waits
      const fibers = []
      for (const [name, priority] of [["holder", 0], ["low", 0], ["high", 5], ["mid", 2], ["high2", 5]] as const) {
        fibers.push(yield* request(name, priority))
        yield* Effect.yieldNow
      }
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, ["holder", "high", "high2", "mid", "low"])
      assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.withPriority(Number.NaN)(Effect.void))))
    }))
})
