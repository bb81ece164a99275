/**
 * From the fourth review (failed before its fix): two `RateLimiter.resize` effects running at once, each changing a different number.
 * Promise (JSDoc of `RateLimiter.Sizes`): "The new numbers of `resize`: any of them; the others
 * stay." — and the third review's fix: "resize reads its sizes, and the limiter's numbers, once,
 * when it runs". The read and the write are separate ops, so another fiber's resize that runs
 * between them is undone.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Duration, Effect, Fiber } from "effect"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

describe("RateLimiter resizes racing", () => {
  it.effect("two resizes of different numbers at once: both numbers set, whatever the order", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limiter = yield* Effect.orDie(RateLimiter.make({ limit: 2, interval: "1 second" }))
        const a = yield* Interleavings.fork(Effect.orDie(limiter.resize({ limit: 5 })))
        const b = yield* Interleavings.fork(Effect.orDie(limiter.resize({ interval: "2 seconds" })))
        yield* Fiber.await(a)
        yield* Fiber.await(b)
        assert.deepStrictEqual(
          [limiter.options.limit, Duration.toMillis(limiter.options.interval)],
          [5, 2000],
          "one resize undid the other's number"
        )
      }),
      { schedules: 200, seed: 4 }
    ))

  it.effect("KeyedRateLimiter (the same facade): two resizes of different numbers at once, both set", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const keyed = yield* Effect.orDie(KeyedRateLimiter.make<string>({ limit: 2, interval: "1 second" }))
        const a = yield* Interleavings.fork(Effect.orDie(keyed("a").resize({ limit: 5 })))
        const b = yield* Interleavings.fork(Effect.orDie(keyed("b").resize({ interval: "2 seconds" })))
        yield* Fiber.await(a)
        yield* Fiber.await(b)
        const options = keyed("c").options
        assert.deepStrictEqual(
          [options.limit, Duration.toMillis(options.interval)],
          [5, 2000],
          "one resize undid the other's number"
        )
      }),
      { schedules: 200, seed: 4 }
    ))
})
