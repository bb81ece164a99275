/**
 * From the sixth review (failed before its fix): GCRA now moves its reading `at` on every look — `stats` and `available`
 * included — and never lets it go back; `earliest` then answers `max(now, at)`. A fiber whose
 * Clock reads later than the limiter's users (a `TestClock.withLive` or `Effect.provideService(…,
 * Clock.Clock, …)` around a monitoring `stats`, a layer shared by tests that each have their own
 * TestClock) thus stalls every later request until their own clock reaches that reading — after a
 * read only, with nothing ever started. Before the rewrite a GCRA `stats` changed nothing. (The
 * sliding window and the token bucket were already affected the other way: such a read forgets
 * the starts, so a burst goes through.)
 *
 * Promises: README, "Guarantees": "All three are **work-conserving**: a request starts as soon as
 * its algorithm allows, to the millisecond"; `stats` is documented only as a report ("`limiter.stats`
 * reports the starts granted, the waiters, the capacity in use…"), not as something that changes
 * when later starts may happen. Whether several Clocks may share a limiter is not said anywhere.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as RateLimiter from "../src/RateLimiter.js"
import { hourAhead } from "./clocks.js"

describe("GCRA read from a fiber with another Clock", () => {
  it.effect("a stats read on a clock ahead does not hold back the first start on the TestClock", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", algorithm: "gcra" })
      const stats = yield* Effect.provideService(limiter.stats, Clock.Clock, hourAhead)
      assert.strictEqual(stats.available, 1)
      const first = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.currentTimeMillis))
      yield* TestClock.adjust("10 seconds")
      // nothing ever started: the first take starts at 0. Fails: still waiting (until 3,600,000)
      assert.isDefined(first.pollUnsafe(), "the first take waits for the other clock's reading")
      assert.strictEqual(yield* Fiber.join(first), 0)
    }))
})
