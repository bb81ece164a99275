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

describe("KeyedConcurrencyLimiter.resize of both limits keeps first come, first served", () => {
  it.effect("resize({ perKey: grow, global: grow }) lets in the earliest waiter whose key now has room", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 })
      const gate = yield* Deferred.make<void>()
      const started: Array<string> = []
      const use = (key: string, name: string) =>
        Effect.tap(
          Effect.forkChild(
            limit(key)(Effect.andThen(Effect.sync(() => void started.push(name)), Deferred.await(gate)))
          ),
          () => Effect.yieldNow
        )
      // a1 and b1 inside (global 2 used); then a2 waits (key a full), then c1 waits (no global permit)
      const fibers = [yield* use("a", "a1"), yield* use("b", "b1"), yield* use("a", "a2"), yield* use("c", "c1")]
      assert.deepStrictEqual([started, yield* limit.waitingAll], [["a1", "b1"], 2])
      // one more global permit, and key a has a place again: a2 came before c1
      yield* limit.resize({ perKey: 2, global: 3 })
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      assert.deepStrictEqual(started, ["a1", "b1", "a2"], "the grow let in c1, a later arrival, ahead of a2")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
    }))

  it.effect("the same order as two calls resize({ perKey }) then resize({ global })", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 })
      const gate = yield* Deferred.make<void>()
      const started: Array<string> = []
      const use = (key: string, name: string) =>
        Effect.tap(
          Effect.forkChild(
            limit(key)(Effect.andThen(Effect.sync(() => void started.push(name)), Deferred.await(gate)))
          ),
          () => Effect.yieldNow
        )
      const fibers = [yield* use("a", "a1"), yield* use("b", "b1"), yield* use("a", "a2"), yield* use("c", "c1")]
      yield* limit.resize({ perKey: 2 })
      yield* limit.resize({ global: 3 })
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      assert.deepStrictEqual(started, ["a1", "b1", "a2"])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
    }))
})
