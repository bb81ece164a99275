/**
 * Regression test (review 4; failed before the fix): README, "Resize": "Every number is sent
 * exactly". `resize` accepted any interval that is a whole number of milliseconds up to
 * `MAX_SAFE_INTEGER` (as `make` did), but the interval travels in microseconds (`ms × 1000`):
 * above 2^53 µs (about 285 years) the product was rounded, and `options.interval` — read back as
 * `µs / 1000` — was another number. Fixed: an interval on Redis is at most 100 years (so it and
 * Redis's clock plus it stay exact in µs); a longer one is `InvalidOptions`, in `make` and `resize`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit } from "effect"
import { InvalidOptions } from "../src/Errors.js"
import { MAX_INTERVAL_MILLIS } from "../src/internal/redis/rateLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { errorOf } from "./faults.js"
import { freshName, prefix, url } from "./redis.js"

const HUGE_INTERVAL = 5_197_720_851_842_027 // ms: a safe integer, whose µs are not

describe("RedisRateLimiter, an interval beyond 100 years", { concurrent: false }, () => {
  it.live("a resize to it is refused, InvalidOptions; the numbers in force are kept", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("exact-interval")
      const limiter = yield* RedisRateLimiter.make({
        name,
        prefix,
        url: url(),
        limit: 2,
        interval: "1 second",
        algorithm: "gcra"
      })
      for (const millis of [HUGE_INTERVAL, MAX_INTERVAL_MILLIS + 1]) {
        const refused = yield* Effect.exit(limiter.resize({ interval: Duration.millis(millis) }))
        const error = errorOf(refused)
        assert.instanceOf(error, InvalidOptions, `${millis} ms`)
        assert.strictEqual((error as InvalidOptions).field, "interval")
        assert.strictEqual(Duration.toMillis(limiter.options.interval), 1000)
      }
    })))

  it.live("make refuses it too; the longest interval is sent, stored and read back exactly", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("exact-interval-make")
      const made = yield* Effect.exit(
        RedisRateLimiter.make({ name, prefix, url: url(), limit: 2, interval: Duration.millis(HUGE_INTERVAL) })
      )
      assert.instanceOf(errorOf(made), InvalidOptions)
      const limiter = yield* RedisRateLimiter.make({ name, prefix, url: url(), limit: 2, interval: "1 second" })
      assert.deepStrictEqual(
        yield* Effect.exit(limiter.resize({ interval: Duration.millis(MAX_INTERVAL_MILLIS) })),
        Exit.void
      )
      assert.strictEqual(Duration.toMillis(limiter.options.interval), MAX_INTERVAL_MILLIS)
      // a second process reads the stored interval exactly
      const other = yield* RedisRateLimiter.make({ name, prefix, url: url(), limit: 2, interval: "1 second" })
      yield* other.take()
      assert.strictEqual(Duration.toMillis(other.options.interval), MAX_INTERVAL_MILLIS)
    })))
})
