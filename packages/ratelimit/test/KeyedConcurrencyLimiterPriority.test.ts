import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import * as Aging from "./aging.js"
import { enter } from "./keyedArrivals.js"

describe("KeyedConcurrencyLimiter.withPriority", () => {
  it.effect("in a key's line: higher priorities first, equal ones first come, first served", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1 })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit("a")(Deferred.await(gate)))
      yield* Effect.yieldNow
      const order: Array<string> = []
      const fibers = yield* Effect.forEach(
        [["low", "a", 0], ["high", "a", 5], ["mid", "a", 2], ["high2", "a", 5]] as const,
        (arrival) => enter(limit, order, arrival)
      )
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, ["high", "high2", "mid", "low"])
      assert.strictEqual(yield* limit.keys, 0)
    }))

  it.effect("in the global line: the keys' waiters by priority, across keys", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 1 })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit("z")(Deferred.await(gate)))
      yield* Effect.yieldNow
      const order: Array<string> = []
      const fibers = yield* Effect.forEach(
        [["a0", "a", 0], ["b3", "b", 3], ["c1", "c", 1], ["a3", "a", 3]] as const,
        (arrival) => enter(limit, order, arrival)
      )
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, ["b3", "a3", "c1", "a0"])
    }))

  it.effect.prop(
    "property (aging), a key's line: a waiter is overtaken only by later arrivals within (their priority − its priority) × aging",
    [Aging.arrivals],
    ([arrivals]) =>
      Effect.gen(function*() {
        const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, aging: "10 millis" })
        const served = yield* Aging.serveAll(
          arrivals,
          (a, _, served) => limit.withPriority("k", a.priority)(Effect.andThen(served, Effect.sleep(7)))
        )
        assert.strictEqual(served.length, arrivals.length)
        assert.deepStrictEqual(Aging.overtakenBeyond(arrivals, served, 10), [])
      }),
    { arbitrary: { runs: 40 }, timeout: 30_000 }
  )

  it.effect.prop(
    "property (aging), the global line: the same bound over requests of three keys",
    [Aging.arrivals],
    ([arrivals]) =>
      Effect.gen(function*() {
        const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 25, global: 1, aging: "10 millis" })
        const served = yield* Aging.serveAll(
          arrivals,
          (a, i, served) => limit.withPriority(`k${i % 3}`, a.priority)(Effect.andThen(served, Effect.sleep(7)))
        )
        assert.strictEqual(served.length, arrivals.length)
        assert.deepStrictEqual(Aging.overtakenBeyond(arrivals, served, 10), [])
      }),
    { arbitrary: { runs: 40 }, timeout: 30_000 }
  )

  it.effect.prop(
    "property (aging), perKey 1 and global 1: a waiter is overtaken only by later arrivals within (their priority − its priority) × aging",
    [Aging.arrivals],
    ([arrivals]) =>
      Effect.gen(function*() {
        const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1, aging: "10 millis" })
        const served = yield* Aging.serveAll(
          arrivals,
          (a, i, served) => limit.withPriority(`k${i % 3}`, a.priority)(Effect.andThen(served, Effect.sleep(7)))
        )
        assert.strictEqual(served.length, arrivals.length)
        assert.deepStrictEqual(Aging.overtakenBeyond(arrivals, served, 10), [])
      }),
    { arbitrary: { runs: 60 }, timeout: 60_000 }
  )

  it.effect("with aging, a plain effect ranks by its arrival: it is not placed ahead of earlier higher priorities", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, aging: "1 second" })
      yield* TestClock.setTime(3_600_000)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit("a")(Deferred.await(gate)))
      yield* Effect.yieldNow
      const order: Array<string> = []
      const first = yield* enter(limit, order, ["p2", "a", 2])
      yield* TestClock.adjust("10 millis")
      const plain = yield* Effect.tap(
        Effect.forkChild(limit("a")(Effect.sync(() => void order.push("plain")))),
        () => Effect.yieldNow
      )
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, first, plain])
      assert.deepStrictEqual(order, ["p2", "plain"])
    }))

  it.effect("a priority that is not finite is a defect, and leaves no key behind; a bad aging is InvalidOptions", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1 })
      for (const priority of [Number.NaN, Number.POSITIVE_INFINITY]) {
        assert.isTrue(Exit.hasDies(yield* Effect.exit(limit.withPriority("a", priority)(Effect.void))))
      }
      assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll], [0, 0])
      const aged = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, aging: "1 second" })
      assert.isTrue(Exit.hasDies(yield* Effect.exit(aged.withPriority("a", 1e308)(Effect.void))))
      const error = yield* Effect.flip(KeyedConcurrencyLimiter.make<string>({ perKey: 1, aging: "0 millis" }))
      assert.deepStrictEqual([error.operation, error.field], ["KeyedConcurrencyLimiter.make", "aging"])
    }))
})
