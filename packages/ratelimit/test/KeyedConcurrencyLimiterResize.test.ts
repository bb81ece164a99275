/**
 * KeyedConcurrencyLimiter.resize of both limits in one call (from a review; the first test failed
 * before the fix: 3 let in under a new global of 1): it must not let in more than the new `global` ("at most `global` in all"; "a shrink interrupts no one" — it keeps those
 * already inside, it does not admit new ones beyond the new cap).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

describe("KeyedConcurrencyLimiter.resize of both limits at once", () => {
  it.effect("resize({ perKey: grow, global: shrink }) admits no waiter beyond the new global", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 3 })
      const gate = yield* Deferred.make<void>()
      let started = 0
      const body = Effect.andThen(Effect.sync(() => void started++), Deferred.await(gate))
      // key a: 1 inside (perKey 1), 2 waiting for a place in key a; 2 global permits free
      const fibers = yield* Effect.forEach(
        [1, 2, 3],
        () => Effect.tap(Effect.forkChild(limit("a")(body)), () => Effect.yieldNow)
      )
      assert.deepStrictEqual([yield* limit.inside("a"), yield* limit.waiting("a"), started], [1, 2, 1])
      // one call: at most 1 over all keys from now on, and up to 3 per key
      yield* limit.resize({ perKey: 3, global: 1 })
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      // the one inside stays (no preemption); nobody else may enter while 1 ≥ global is inside
      assert.deepStrictEqual(
        { insideAll: yield* limit.insideAll, started, global: limit.global },
        { insideAll: 1, started: 1, global: 1 },
        "effects let in by the resize that lowered global to 1"
      )
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
    }))

  it.effect("resize({ perKey: shrink, global: grow }) admits no waiter beyond the new perKey", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 3, global: 1 })
      const gate = yield* Deferred.make<void>()
      let started = 0
      const body = Effect.andThen(Effect.sync(() => void started++), Deferred.await(gate))
      // key a: 1 inside (global 1), 2 waiting for a global permit
      const fibers = yield* Effect.forEach(
        [1, 2, 3],
        () => Effect.tap(Effect.forkChild(limit("a")(body)), () => Effect.yieldNow)
      )
      assert.deepStrictEqual([yield* limit.inside("a"), yield* limit.waiting("a"), started], [1, 2, 1])
      yield* limit.resize({ perKey: 1, global: 3 })
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      assert.deepStrictEqual(
        { inside: yield* limit.inside("a"), started, perKey: limit.perKey },
        { inside: 1, started: 1, perKey: 1 },
        "effects let in by the resize that lowered perKey to 1"
      )
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      assert.strictEqual(started, 3)
    }))

  it.effect("pin: resize({ global: shrink }) then resize({ perKey: grow }) as two calls keeps the cap", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 3 })
      const gate = yield* Deferred.make<void>()
      let started = 0
      const body = Effect.andThen(Effect.sync(() => void started++), Deferred.await(gate))
      const fibers = yield* Effect.forEach(
        [1, 2, 3],
        () => Effect.tap(Effect.forkChild(limit("a")(body)), () => Effect.yieldNow)
      )
      yield* limit.resize({ global: 1 })
      yield* limit.resize({ perKey: 3 })
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* limit.insideAll, started], [1, 1])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll], [0, 0, 0])
    }))
})
