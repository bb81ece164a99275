/**
 * From the third review (failed before the fix: the pool served with the new global before the
 * grown key's first waiter stood in line): `resize({ perKey, global })` growing both limits in one
 * call let in a later waiter of a key that had room before an earlier waiter of a key that was full
 * under the old `perKey`.
 * Promise (README/JSDoc of KeyedConcurrencyLimiter): "Waiting effects of every key stand in one
 * line, first come, first served … An effect enters when it is the first in that line whose key
 * has room and a global permit is free", and `resize`: "A grow lets waiters in at once".
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

/**
 * a1 and b1 inside a limiter of one per key and two in all, then a2 waiting (key a full), then c1
 * (no global permit); `grow` resizes to two per key and three in all. What started, in order.
 */
const afterGrow = (
  grow: (limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string>) => Effect.Effect<void, unknown>
) =>
  Effect.gen(function*() {
    const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 })
    const gate = yield* Deferred.make<void>()
    const started: Array<string> = []
    const use = (key: string, name: string) =>
      Effect.tap(
        Effect.forkChild(limit(key)(Effect.andThen(Effect.sync(() => void started.push(name)), Deferred.await(gate)))),
        () => Effect.yieldNow
      )
    const fibers = [yield* use("a", "a1"), yield* use("b", "b1"), yield* use("a", "a2"), yield* use("c", "c1")]
    assert.deepStrictEqual([started, yield* limit.waitingAll], [["a1", "b1"], 2])
    yield* grow(limit)
    yield* Effect.yieldNow
    yield* Effect.yieldNow
    const order = [...started]
    yield* Deferred.succeed(gate, undefined)
    yield* Fiber.joinAll(fibers)
    return order
  })

describe("KeyedConcurrencyLimiter.resize of both limits keeps first come, first served", () => {
  it.effect("resize({ perKey: grow, global: grow }) lets in the earliest waiter whose key now has room", () =>
    Effect.gen(function*() {
      // one more global permit, and key a has a place again: a2 came before c1
      const order = yield* afterGrow((limit) => limit.resize({ perKey: 2, global: 3 }))
      assert.deepStrictEqual(order, ["a1", "b1", "a2"], "the grow let in c1, a later arrival, ahead of a2")
    }))

  it.effect("the same order as two calls resize({ perKey }) then resize({ global })", () =>
    Effect.gen(function*() {
      const order = yield* afterGrow((limit) =>
        Effect.andThen(limit.resize({ perKey: 2 }), limit.resize({ global: 3 }))
      )
      assert.deepStrictEqual(order, ["a1", "b1", "a2"])
    }))
})
