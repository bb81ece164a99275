import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as KeyedLock from "../src/KeyedLock.js"

describe("KeyedLock", () => {
  it.effect("one fiber at a time per key; different keys at once", () =>
    Effect.gen(function*() {
      const locks = yield* KeyedLock.make<string>()
      const gate = yield* Deferred.make<void>()
      const entered: Array<string> = []
      const holdA = yield* Effect.forkChild(
        locks.withLock("a")(Effect.andThen(
          Effect.sync(() => void entered.push("a1")),
          Deferred.await(gate)
        ))
      )
      yield* Effect.yieldNow
      const secondA = yield* Effect.forkChild(locks.withLock("a")(Effect.sync(() => void entered.push("a2"))))
      const b = yield* Effect.forkChild(locks.withLock("b")(Effect.sync(() => void entered.push("b"))))
      yield* Fiber.join(b)
      // b ran while a was held; the second a waits for the first
      assert.deepStrictEqual(entered, ["a1", "b"])
      assert.isTrue(yield* locks.isLocked("a"))
      assert.isFalse(yield* locks.isLocked("b"))
      assert.strictEqual(yield* locks.keys, 1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holdA)
      yield* Fiber.join(secondA)
      assert.deepStrictEqual(entered, ["a1", "b", "a2"])
      assert.strictEqual(yield* locks.keys, 0)
    }))

  it.effect("waiters of a key are served first come, first served", () =>
    Effect.gen(function*() {
      const locks = yield* KeyedLock.make<number>()
      const gate = yield* Deferred.make<void>()
      const order: Array<number> = []
      const first = yield* Effect.forkChild(locks.withLock(7)(Deferred.await(gate)))
      yield* Effect.yieldNow
      const waiters = []
      for (let i = 0; i < 5; i++) {
        waiters.push(yield* Effect.forkChild(locks.withLock(7)(Effect.sync(() => void order.push(i)))))
        yield* Effect.yieldNow
      }
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      yield* Fiber.joinAll(waiters)
      assert.deepStrictEqual(order, [0, 1, 2, 3, 4])
    }))

  it.effect("a waiter interrupted in line passes the lock on, and the key is forgotten once unused", () =>
    Effect.gen(function*() {
      const locks = yield* KeyedLock.make<string>()
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(locks.withLock("k")(Deferred.await(gate)))
      yield* Effect.yieldNow
      const quitter = yield* Effect.forkChild(locks.withLock("k")(Effect.void))
      let ran = false
      const next = yield* Effect.forkChild(locks.withLock("k")(Effect.sync(() => void (ran = true))))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(quitter)
      assert.strictEqual(yield* locks.keys, 1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.join(next)
      assert.isTrue(ran)
      assert.strictEqual(yield* locks.keys, 0)
      assert.isFalse(yield* locks.isLocked("k"))
    }))

  it.effect("a failing or interrupted holder lets go of its key", () =>
    Effect.gen(function*() {
      const locks = yield* KeyedLock.make<string>()
      const failed = yield* Effect.flip(locks.withLock("k")(Effect.fail("boom")))
      assert.strictEqual(failed, "boom")
      const holder = yield* Effect.forkChild(locks.withLock("k")(Effect.never))
      yield* Effect.yieldNow
      assert.isTrue(yield* locks.isLocked("k"))
      yield* Fiber.interrupt(holder)
      assert.strictEqual(yield* locks.keys, 0)
      assert.strictEqual(yield* locks.withLock("k")(Effect.succeed(1)), 1)
    }))

  it.live("property: random work on 3 keys, a third of it interrupted at random points — never two inside a key, every uninterrupted fiber done, no key left", () =>
    Effect.gen(function*() {
      // a small linear congruential generator: the same schedule every run
      let seed = 11
      const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n
      const pause = Effect.promise(() => Promise.resolve())
      for (let round = 0; round < 20; round++) {
        const locks = yield* KeyedLock.make<number>()
        const inside = [0, 0, 0]
        let most = 0
        let done = 0
        const work = (key: number, pauses: number) =>
          locks.withLock(key)(Effect.suspend(() => {
            most = Math.max(most, ++inside[key]!)
            return Effect.ensuring(
              Effect.andThen(Effect.repeat(pause, { times: pauses }), Effect.sync(() => void done++)),
              Effect.sync(() => void inside[key]!--)
            )
          }))
        const fibers = []
        for (let i = 0; i < 60; i++) fibers.push(yield* Effect.forkChild(work(random(3), random(3))))
        const interrupted = new Set<number>()
        for (let i = 0; i < 20; i++) {
          for (let k = random(4); k > 0; k--) yield* pause
          const victim = random(fibers.length)
          interrupted.add(victim)
          yield* Fiber.interrupt(fibers[victim]!)
        }
        yield* Fiber.awaitAll(fibers)
        assert.strictEqual(most, 1)
        assert.isAtLeast(done, fibers.length - interrupted.size)
        assert.strictEqual(yield* locks.keys, 0)
      }
    }))
})
