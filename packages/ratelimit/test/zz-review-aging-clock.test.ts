/**
 * Review of aging ranks (`Priority.Ranking`, used by RateLimiter): a rank is a reading of the
 * wall clock (`currentTimeMillis`), so a clock that steps back (NTP, a VM resumed) puts later
 * arrivals of the same priority ahead of earlier ones.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("review: aging ranks and a clock that steps back", () => {
  it.effect("RateLimiter with aging: equal priorities are no longer first come, first served after a 1-minute step back", () =>
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
})
