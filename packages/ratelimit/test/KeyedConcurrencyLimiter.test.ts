import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

describe("KeyedConcurrencyLimiter", () => {
  it.effect("perKey at once per key, global over all, keys forgotten when unused", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 3 })
      const gate = yield* Deferred.make<void>()
      const fibers = []
      for (const key of ["a", "a", "a", "b", "c"]) {
        fibers.push(yield* Effect.forkChild(limit(key)(Deferred.await(gate))))
      }
      yield* Effect.yieldNow
      // a: 2 inside, 1 waiting for its key; b: inside (3 in all); c: holds its key, waits for a global permit
      assert.deepStrictEqual(
        [yield* limit.inside("a"), yield* limit.waiting("a"), yield* limit.inside("b"), yield* limit.inside("c")],
        [2, 1, 1, 0]
      )
      assert.deepStrictEqual([yield* limit.insideAll, yield* limit.keys], [3, 3])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual([yield* limit.insideAll, yield* limit.keys], [0, 0])
    }))

  it.effect("resize of either limit lets waiters in at once; a global resize without a cap is refused", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1 })
      const gate = yield* Deferred.make<void>()
      const fibers = []
      for (const key of ["a", "a", "b"]) fibers.push(yield* Effect.forkChild(limit(key)(Deferred.await(gate))))
      yield* Effect.yieldNow
      assert.strictEqual(yield* limit.insideAll, 1)
      yield* limit.resize({ perKey: 2, global: 3 })
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* limit.insideAll, limit.perKey, limit.global], [3, 2, 3])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      const uncapped = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1 })
      assert.strictEqual((yield* Effect.flip(uncapped.resize({ global: 2 })))._tag, "InvalidOptions")
      assert.strictEqual((yield* Effect.flip(uncapped.resize({ perKey: 0 })))._tag, "InvalidOptions")
      assert.strictEqual(
        (yield* Effect.flip(KeyedConcurrencyLimiter.make({ perKey: 1, global: 0 })))._tag,
        "InvalidOptions"
      )
    }))

  it.effect.prop(
    "property: never more than perKey inside a key nor global in all; interruptions leak nothing; no key left",
    [
      Gen.integer({ min: 1, max: 3 }),
      Gen.integer({ min: 1, max: 5 }),
      Gen.array(
        Gen.record({
          key: Gen.integer({ min: 0, max: 3 }),
          duration: Gen.integer({ min: 0, max: 20 }),
          interruptAfter: Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined })
        }),
        { maxLength: 20 }
      )
    ],
    ([perKey, global, uses]) =>
      Effect.gen(function*() {
        const limit = yield* KeyedConcurrencyLimiter.make<number>({ perKey, global })
        const inside = [0, 0, 0, 0]
        let all = 0
        let mostPerKey = 0
        let mostAll = 0
        yield* TestTime.run(Effect.gen(function*() {
          const fibers = yield* Effect.forEach(uses, (use) =>
            Effect.forkChild(
              limit(use.key)(Effect.suspend(() => {
                mostPerKey = Math.max(mostPerKey, ++inside[use.key]!)
                mostAll = Math.max(mostAll, ++all)
                return Effect.ensuring(Effect.sleep(use.duration), Effect.sync(() => void (inside[use.key]!--, all--)))
              }))
            ))
          yield* Effect.forEach(uses, (use, i) =>
            use.interruptAfter === undefined
              ? Effect.void
              : Effect.forkChild(Effect.andThen(Effect.sleep(use.interruptAfter), Fiber.interrupt(fibers[i]!))))
          yield* Effect.forEach(fibers, Fiber.await)
        }))
        assert.isAtMost(mostPerKey, perKey)
        assert.isAtMost(mostAll, global)
        assert.deepStrictEqual([yield* limit.insideAll, yield* limit.keys], [0, 0])
      }),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )
})
