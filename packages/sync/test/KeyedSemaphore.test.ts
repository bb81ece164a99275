import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as KeyedSemaphore from "../src/KeyedSemaphore.js"
import * as Semaphore from "../src/Semaphore.js"

describe("KeyedSemaphore", () => {
  it.effect("n at a time per key, keys independent, idle keys forgotten", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedSemaphore.make<string>(2)
      const gate = yield* Deferred.make<void>()
      const fibers = []
      for (const key of ["a", "a", "a", "b"]) {
        fibers.push(yield* Effect.forkChild(perKey.withPermit(key)(Deferred.await(gate))))
      }
      yield* Effect.yieldNow
      assert.strictEqual(yield* perKey.available("a"), 0)
      assert.strictEqual(yield* perKey.waiting("a"), 1)
      assert.strictEqual(yield* perKey.available("b"), 1)
      assert.strictEqual(yield* perKey.available("c"), 2)
      assert.strictEqual(yield* perKey.keys, 2)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      assert.strictEqual(yield* perKey.keys, 0)
    }))

  it.effect("resize: a grow lets a key's waiters in at once, a shrink preempts no holder", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedSemaphore.make<string>(1)
      const gates = [yield* Deferred.make<void>(), yield* Deferred.make<void>()]
      const first = yield* Effect.forkChild(perKey.withPermit("k")(Deferred.await(gates[0]!)))
      yield* Effect.yieldNow
      const second = yield* Effect.forkChild(perKey.withPermit("k")(Deferred.await(gates[1]!)))
      yield* Effect.yieldNow
      assert.strictEqual(yield* perKey.waiting("k"), 1)
      yield* perKey.resize(2)
      assert.strictEqual(yield* perKey.waiting("k"), 0)
      assert.strictEqual(perKey.permits, 2)
      yield* perKey.resize(1)
      const third = yield* Effect.forkChild(perKey.withPermit("k")(Effect.void))
      yield* Effect.yieldNow
      yield* Deferred.succeed(gates[0]!, undefined)
      yield* Fiber.join(first)
      // one holder left: at the new limit of 1, the third still waits
      assert.strictEqual(yield* perKey.waiting("k"), 1)
      yield* Deferred.succeed(gates[1]!, undefined)
      yield* Fiber.join(second)
      yield* Fiber.join(third)
      assert.strictEqual(yield* perKey.available("k"), 1)
      assert.strictEqual((yield* Effect.flip(perKey.resize(-1)))._tag, "InvalidOptions")
    }))

  it.effect("bad counts: a negative or fractional count is a defect, a bad size an InvalidOptions", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* Effect.flip(KeyedSemaphore.make<string>(1.5)))._tag, "InvalidOptions")
      const perKey = yield* KeyedSemaphore.make<string>(2)
      const exit = yield* Effect.exit(perKey.withPermits("k", -1)(Effect.void))
      assert.isTrue(exit._tag === "Failure")
      assert.strictEqual(yield* perKey.keys, 0)
    }))

  it.effect("Semaphore.resize: a grow serves waiters at once, a shrink waits for holders", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(1)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(semaphore.withPermit(Deferred.await(gate)))
      yield* Effect.yieldNow
      const waiter = yield* Effect.forkChild(semaphore.withPermit(Deferred.await(gate)))
      yield* Effect.yieldNow
      yield* semaphore.resize(3)
      assert.strictEqual(yield* semaphore.waiting, 0)
      assert.strictEqual(yield* semaphore.available, 1)
      yield* semaphore.resize(1)
      assert.strictEqual(yield* semaphore.available, 0)
      assert.isFalse(yield* semaphore.tryAcquire())
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.join(waiter)
      assert.strictEqual(yield* semaphore.available, 1)
      assert.strictEqual(semaphore.permits, 1)
    }))
})
