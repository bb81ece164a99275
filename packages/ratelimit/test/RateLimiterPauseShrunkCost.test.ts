/**
 * From the fifth review (failed before its fix): a sliding-window request whose cost is above a limit shrunk while it
 * waits, and the window empty, starts at once — even while the limiter is paused.
 *
 * `SlidingWindow.earliest` for such a cost with an empty log reads `times.at(-1)` (undefined):
 * it returns `NaN`, and `Limiter.earliest` takes `Math.max(pausedUntil, NaN)`, which is `NaN`,
 * so the pause is lost and `NaN > now` is false: the request starts.
 *
 * Promises (README, "Feedback from the server"): "`limiter.pause(duration)` … no start is granted
 * until `duration` from now has passed"; (JSDoc/README of resize) the holder "computes its start
 * again at once"; a cost above a shrunk capacity "starts alone, once the window is empty" — not
 * before the pause ends.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"

describe("a pause and a shrink below the waiting cost (sliding window)", () => {
  it.effect("the request of cost 3 paused for 10 s does not start when the limit shrinks to 2 at 1 s", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
      yield* limiter.pause("10 seconds") // e.g. a 429 with Retry-After: 10
      const startedAt = yield* Effect.forkChild(Effect.andThen(limiter.take(3), Clock.currentTimeMillis))
      yield* Effect.yieldNow // it holds the turn, asleep until the pause ends
      yield* TestClock.adjust("1 second")
      yield* limiter.resize({ limit: 2 }) // the holder computes its start again
      yield* Effect.yieldNow
      assert.strictEqual((yield* limiter.stats).pausedFor, 9000)
      yield* TestClock.adjust("20 seconds")
      // fails: 1000 — it started while the limiter was paused (until 10000)
      assert.isAtLeast(yield* Fiber.join(startedAt), 10_000, "a start was granted during the pause")
    }))

  it.effect("the same once the window has emptied during the pause: a look at 2 s starts it, 3 s before the pause ends", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
      yield* limiter.take(1) // t = 0: the window holds 1 until 1001
      yield* limiter.pause("5 seconds")
      const startedAt = yield* Effect.forkChild(Effect.andThen(limiter.take(3), Clock.currentTimeMillis))
      yield* Effect.yieldNow
      yield* limiter.resize({ limit: 2 }) // cost 3 > 2: it waits for an empty window, and the pause
      yield* TestClock.adjust("2 seconds") // the window is empty; 3 s of pause left
      yield* limiter.resize({ limit: 2 }) // a resize to the numbers in force: the holder looks again
      yield* TestClock.adjust("10 seconds")
      // fails: 2000
      assert.isAtLeast(yield* Fiber.join(startedAt), 5000, "a start was granted during the pause")
    }))
})
