/**
 * Regressions: aging ranks (`Priority.Ranking`, under every limiter) were read from the wall
 * clock, so a clock that stepped back (NTP, a VM resumed) put later arrivals of the same priority
 * ahead of earlier ones, and an `aging` below a microsecond was lost in the rounding of an
 * epoch-sized time. Ranks now come from the monotonic clock, counted from the ranking's first use.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

describe("aging ranks and the clock", () => {
  it.effect("RateLimiter with aging: equal priorities stay first come, first served across a 1-minute step back of the wall clock", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", aging: "10 millis" })
      yield* TestClock.setTime(3_600_000)
      yield* limiter.take() // the window is full until 3_601_001
      const order: Array<string> = []
      const request = (name: string) =>
        Effect.tap(
          Effect.forkChild(limiter(Effect.sync(() => void order.push(name)))),
          () => Effect.yieldNow
        )
      const holder = yield* request("holder") // holds the turn
      const early = yield* request("early") // first in line, rank 3_600_000
      yield* TestClock.setTime(3_540_000) // the wall clock steps back one minute
      const late = yield* request("late") // rank 3_540_000: placed ahead of "early"
      yield* TestClock.setTime(3_700_000)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.joinAll([holder, early, late])
      // README: "higher first, equal priorities first come, first served"
      assert.deepStrictEqual(order, ["holder", "early", "late"], `now ${yield* Clock.currentTimeMillis}`)
    }))
  it.effect("ConcurrencyLimiter with an aging of 100 nanoseconds at an epoch-sized time: a higher priority still goes first", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, aging: "100 nanos" })
      yield* TestClock.setTime(1_765_000_000_000)
      const order: Array<string> = []
      const enter = (name: string, priority: number) =>
        Effect.tap(
          Effect.forkChild(limit.withPriority(priority)(Effect.sync(() => void order.push(name)))),
          () => Effect.yieldNow
        )
      const holder = yield* Effect.forkChild(limit(Effect.sleep("1 second")))
      yield* Effect.yieldNow
      const low = yield* enter("low", 0)
      const high = yield* enter("high", 1) // same instant: one step of priority is worth 100 ns
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([holder, low, high])
      assert.deepStrictEqual(order, ["high", "low"])
    }))
})
