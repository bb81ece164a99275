/**
 * From the fourth review (failed before its fix): a GCRA limiter resized to the numbers it already has. Promises (JSDoc of
 * `RateLimiter.resize`): "GCRA keeps the emission intervals it has booked ahead, each now the new
 * length"; and of GCRA: "With `burst` 1, each start comes at least `cost × interval / limit` after
 * the previous one, `cost` the previous one's". A start of a cost above the burst (any cost > 1
 * with GCRA's default burst of 1) books `cost` intervals; a resize — even one to the numbers in
 * force — keeps at most one burst of them, so the next start comes early.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

/** When the start of cost 1 after a start of cost 5 at 0 happens, with or without a no-op resize between. */
const nextStart = (noOpResize: boolean) =>
  Effect.gen(function*() {
    // 5 per 5 seconds: one emission interval is 1 s; burst 1 (GCRA's default)
    const t0 = yield* Clock.currentTimeMillis
    const limiter = yield* RateLimiter.make({ limit: 5, interval: "5 seconds", algorithm: "gcra" })
    yield* limiter.take(5) // t = 0: books 5 intervals, the next start at 5 s
    if (noOpResize) yield* limiter.resize({ limit: 5 }) // the numbers it has
    const at = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
    yield* TestClock.adjust("10 seconds")
    return (yield* Fiber.join(at)) - t0
  })

describe("GCRA resized to the same numbers", () => {
  it.effect("burst 1: after a start of 5, the next comes 5 intervals later, a no-op resize between or not", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* nextStart(false), 5000)
      // fails: 1000 (after 0) — the resize kept one interval of the five booked
      assert.strictEqual(yield* nextStart(true), 5000, "a resize to the same numbers forgot booked intervals")
    }))
})
