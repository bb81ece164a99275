import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

describe("steerable limits: edges", () => {
  // the keyed limiter's type is `Effect<A, E, R>` — a typed failure of the effect stays a typed failure.
  it.effect("with a global cap, an effect's typed failure is not turned into a defect", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 })
      const exit = yield* Effect.exit(limit("a")(Effect.fail("boom" as const)))
      // observed: `Effect.orDie(global.run(counted, 0))` makes every failure of `counted` a defect
      assert.deepStrictEqual(exit, Exit.fail("boom"))
    }))

  // Same, and the typed error must still be catchable by `catchTag`-style recovery after the limiter.
  it.effect("with a global cap, catching the effect's error after the limiter works", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 })
      const recovered = yield* limit("a")(Effect.fail("boom")).pipe(
        Effect.catch(() => Effect.succeed("recovered")),
        Effect.catchCause((cause) => Effect.succeed(`defect: ${Cause.pretty(cause).split("\n")[0]}`))
      )
      assert.strictEqual(recovered, "recovered")
    }))

  // "Waits until fewer than `size` effects are waiting" — a size that is not a number is
  // bad input that should be refused (defect), not a wait that can never end.
  it.live("awaitSizeBelow(NaN) does not hang silently", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      const exit = yield* Effect.timeoutOption(Effect.exit(limit.awaitSizeBelow(Number.NaN)), "200 millis")
      // observed: Option.none — `waiting < NaN` is never true, the wait never ends
      assert.isTrue(Option.isSome(exit) && Exit.hasDies(exit.value), "awaitSizeBelow(NaN) waits forever")
    }))

  // Promise (type level): `make` without `maxPending` in the type returns `ConcurrencyLimiter<never>`,
  // whose effects "cannot fail" with PendingLimitExceeded. A structurally-typed options value hides it.
  it.effect("with aging, a priority so large that priority × aging overflows is a defect, not a tie", () =>
    Effect.gen(function*() {
      // both 1e307 × 1000 and 1e308 × 1000 are -Infinity as ranks: they could not be told apart
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, aging: "1 second" })
      const exit = yield* Effect.exit(limit.withPriority(1e308)(Effect.void))
      assert.isTrue(Exit.hasDies(exit))
      assert.deepStrictEqual([yield* limit.inside, yield* limit.waiting], [0, 0])
    }))
})
