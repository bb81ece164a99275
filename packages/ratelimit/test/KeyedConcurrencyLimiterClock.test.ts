/**
 * KeyedConcurrencyLimiter's aging ranks arrivals on the monotonic clock, so a TestClock
 * whose wall time is stepped back or forward between arrivals reorders nobody beyond the README's
 * bound ("a waiter is overtaken only by arrivals within (their priority − its priority) × aging
 * after it"; "equal priorities first come, first served").
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import { enter } from "./keyedArrivals.js"

describe("KeyedConcurrencyLimiter aging with the TestClock stepped", () => {
  it.effect("pin: wall time stepped back then far forward between arrivals: order by monotonic arrival and priority", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1, aging: "10 millis" })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit.withPriority("z", 0)(Deferred.await(gate)))
      yield* Effect.yieldNow
      const order: Array<string> = []
      yield* TestClock.adjust("100 millis")
      const a = yield* enter(limit, order, ["a", "a", 0])
      yield* TestClock.setTime(0) // the wall clock goes back 100 ms; the monotonic one stays
      const b = yield* enter(limit, order, ["b", "b", 1]) // same instant, one step higher: ahead of a
      const c = yield* enter(limit, order, ["c", "c", 0]) // same priority as a, later: behind a
      yield* TestClock.setTime(3_600_000) // an hour forward
      const d = yield* enter(limit, order, ["d", "d", 5]) // an hour later: 5 × 10 ms is not enough to pass a or c
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, a, b, c, d])
      assert.deepStrictEqual(order, ["b", "a", "c", "d"])
      assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll], [0, 0, 0])
    }))
})
