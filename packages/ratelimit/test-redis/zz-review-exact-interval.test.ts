/**
 * Review: README, "Resize": "Every number is sent exactly, up to `Number.MAX_SAFE_INTEGER`". `resize`
 * accepts any interval that is a whole number of milliseconds up to `MAX_SAFE_INTEGER` (as `make`
 * does), but the interval travels in microseconds (`ms × 1000`): above 2^53 µs (about 285 years)
 * the product is rounded, and `options.interval` — read back as `µs / 1000` — is another number.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { freshName, prefix, url } from "./redis.js"

const HUGE_INTERVAL = 5_197_720_851_842_027 // ms: a safe integer, as `resize` accepts

describe("review: RedisRateLimiter, a resize to a huge interval", { concurrent: false }, () => {
  it.live("the resizing process shows the exact interval it stored", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("review-exact-interval")
      const limiter = yield* RedisRateLimiter.make({
        name,
        prefix,
        url: url(),
        limit: 2,
        interval: "1 second",
        algorithm: "gcra"
      })
      yield* limiter.resize({ interval: Duration.millis(HUGE_INTERVAL) })
      assert.strictEqual(Duration.toMillis(limiter.options.interval), HUGE_INTERVAL)
    })))
})
