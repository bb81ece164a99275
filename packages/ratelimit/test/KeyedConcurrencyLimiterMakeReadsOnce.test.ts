/**
 * From the fourth review (failed before its fix): `KeyedConcurrencyLimiter.make` checks `options.global` and later reads it again to
 * make the pool (after the steering options and the Timeline are resolved, other ops between).
 * The third review's rule for `resize` — "the sizes checked are the sizes set" — does not hold
 * for `make`: an options object changed by another fiber (a configuration reload) between the two
 * reads gives a limiter whose `global` was never checked. Promise (JSDoc of `make`): "at most
 * `global` over all keys (an integer ≥ 1) … otherwise … `InvalidOptions`".
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Exit, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

describe("KeyedConcurrencyLimiter.make reads its options once", () => {
  it.effect("a global changed to 0 while make runs: InvalidOptions, or the global it checked", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const options: { perKey: number; global: number } = { perKey: 1, global: 2 }
        const made = yield* Interleavings.fork(Effect.exit(KeyedConcurrencyLimiter.make<string>(options)))
        const reload = yield* Interleavings.fork(Effect.sync(() => void (options.global = 0)))
        yield* Fiber.await(reload)
        const exit = yield* Fiber.join(made)
        if (Exit.isSuccess(exit)) {
          // fails: a limiter of global 0, that no effect can ever enter
          assert.isAtLeast(exit.value.global!, 1, "make set a global it never checked")
        }
      }),
      { schedules: 200, seed: 4 }
    ))
})
