import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as Aging from "./aging.js"

describe("ConcurrencyLimiter: priorities, resize, load shedding, draining", () => {
  it.effect("higher priorities enter first; equal ones first come, first served", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const order: Array<string> = []
      const holder = yield* Effect.forkChild(limit(Deferred.await(gate)))
      yield* Effect.yieldNow
      const fibers = []
      for (const [name, priority] of [["low", 0], ["high", 5], ["mid", 2], ["high2", 5], ["low2", 0]] as const) {
        fibers.push(yield* Effect.forkChild(limit.withPriority(priority)(Effect.sync(() => void order.push(name)))))
        yield* Effect.yieldNow
      }
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, ["high", "high2", "mid", "low", "low2"])
    }))

  it.effect("a priority that is not finite is a defect", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      const exit = yield* Effect.exit(limit.withPriority(Number.NaN)(Effect.void))
      assert.isTrue(Exit.hasDies(exit))
      assert.strictEqual(yield* limit.inside, 0)
    }))

  it.effect.prop(
    "property (aging): a waiter is overtaken only by later arrivals within (their priority − its priority) × aging — nobody starves",
    [Aging.arrivals],
    ([arrivals]) =>
      Effect.gen(function*() {
        const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, aging: "10 millis" })
        const served = yield* Aging.serveAll(
          arrivals,
          (a, _, served) => limit.withPriority(a.priority)(Effect.andThen(served, Effect.sleep(7)))
        )
        assert.strictEqual(served.length, arrivals.length)
        assert.deepStrictEqual(Aging.overtakenBeyond(arrivals, served, 10), [])
      }),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )

  it.effect("without aging the same check fails: strict priorities let a low one starve", () =>
    Effect.gen(function*() {
      const enter =
        (limit: ConcurrencyLimiter.ConcurrencyLimiter) => (a: Aging.Arrival, _: number, served: Effect.Effect<void>) =>
          limit.withPriority(a.priority)(Effect.andThen(served, Effect.sleep(7)))
      const strict = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      const aged = yield* ConcurrencyLimiter.make({ concurrency: 1, aging: "10 millis" })
      assert.isNotEmpty(Aging.overtakenBeyond(Aging.starving, yield* Aging.serveAll(Aging.starving, enter(strict)), 10))
      assert.deepStrictEqual(
        Aging.overtakenBeyond(Aging.starving, yield* Aging.serveAll(Aging.starving, enter(aged)), 10),
        []
      )
    }))

  it.effect("resize: a grow lets waiters in at once, a shrink interrupts no one", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const fibers = []
      for (let i = 0; i < 3; i++) fibers.push(yield* Effect.forkChild(limit(Deferred.await(gate))))
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* limit.inside, yield* limit.waiting], [1, 2])
      yield* limit.resize(3)
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* limit.inside, yield* limit.waiting, limit.concurrency], [3, 0, 3])
      yield* limit.resize(1)
      const late = yield* Effect.forkChild(limit(Effect.void))
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* limit.inside, yield* limit.waiting], [3, 1])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(fibers)
      yield* Fiber.join(late)
      assert.deepStrictEqual([yield* limit.inside, yield* limit.waiting], [0, 0])
      assert.strictEqual((yield* Effect.flip(limit.resize(0)))._tag, "InvalidOptions")
    }))

  it.effect("maxPending with onFull fail: the newcomer is refused, nothing runs, nothing is held", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, maxPending: 1 })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit(Deferred.await(gate)))
      yield* Effect.yieldNow
      const waiter = yield* Effect.forkChild(limit(Effect.succeed("waited")))
      yield* Effect.yieldNow
      let ran = false
      const refused = yield* Effect.flip(limit(Effect.sync(() => void (ran = true))))
      assert.strictEqual(refused._tag, "PendingLimitExceeded")
      assert.isFalse(refused.dropped)
      assert.isFalse(ran)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      assert.strictEqual(yield* Fiber.join(waiter), "waited")
      assert.deepStrictEqual([yield* limit.inside, yield* limit.waiting], [0, 0])
    }))

  it.effect("maxPending with onFull dropOldest: the longest waiter leaves with the error, the newcomer waits", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, maxPending: 2, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit(Deferred.await(gate)))
      yield* Effect.yieldNow
      const old = yield* Effect.forkChild(limit(Effect.succeed("old")))
      yield* Effect.yieldNow
      const middle = yield* Effect.forkChild(limit(Effect.succeed("middle")))
      yield* Effect.yieldNow
      const newest = yield* Effect.forkChild(limit(Effect.succeed("newest")))
      yield* Effect.yieldNow
      const dropped = yield* Effect.flip(Fiber.join(old))
      assert.strictEqual(dropped._tag, "PendingLimitExceeded")
      assert.isTrue(dropped.dropped)
      assert.strictEqual(yield* limit.waiting, 2)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      assert.deepStrictEqual([yield* Fiber.join(middle), yield* Fiber.join(newest)], ["middle", "newest"])
    }))

  it.effect("maxPending 0: only what can enter at once is let in", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, maxPending: 0, onFull: "dropOldest" })
      assert.strictEqual(yield* limit(Effect.succeed(1)), 1)
      const holder = yield* Effect.forkChild(limit(Effect.never))
      yield* Effect.yieldNow
      assert.strictEqual((yield* Effect.flip(limit(Effect.void)))._tag, "PendingLimitExceeded")
      yield* Fiber.interrupt(holder)
      assert.strictEqual(yield* limit.inside, 0)
    }))

  it.effect("awaitIdle and awaitSizeBelow end when the limiter drains", () =>
    Effect.gen(function*() {
      const limit = yield* ConcurrencyLimiter.make({ concurrency: 1 })
      yield* limit.awaitIdle // idle now: returns at once
      const gates = [yield* Deferred.make<void>(), yield* Deferred.make<void>(), yield* Deferred.make<void>()]
      const fibers = []
      for (const gate of gates) fibers.push(yield* Effect.forkChild(limit(Deferred.await(gate))))
      yield* Effect.yieldNow
      const idle = yield* Effect.forkChild(limit.awaitIdle)
      const belowTwo = yield* Effect.forkChild(limit.awaitSizeBelow(2))
      const belowOne = yield* Effect.forkChild(limit.awaitSizeBelow(1))
      yield* Effect.yieldNow
      assert.isUndefined(belowTwo.pollUnsafe())
      yield* Deferred.succeed(gates[0]!, undefined)
      yield* Fiber.join(belowTwo)
      assert.isUndefined(belowOne.pollUnsafe())
      yield* Deferred.succeed(gates[1]!, undefined)
      yield* Fiber.join(belowOne)
      assert.isUndefined(idle.pollUnsafe())
      yield* Deferred.succeed(gates[2]!, undefined)
      yield* Fiber.join(idle)
      yield* Fiber.joinAll(fibers)
    }))

  it.effect("bad options fail InvalidOptions", () =>
    Effect.gen(function*() {
      const tags = yield* Effect.forEach([
        ConcurrencyLimiter.make({ concurrency: 1, maxPending: -1 }),
        ConcurrencyLimiter.make({ concurrency: 1, maxPending: 1, onFull: "wait" as never }),
        ConcurrencyLimiter.make({ concurrency: 1, aging: "0 millis" }),
        ConcurrencyLimiter.make({ concurrency: 1, aging: "Infinity" as never })
      ], (made) => Effect.map(Effect.flip(made), (e) => e._tag))
      assert.deepStrictEqual(tags, ["InvalidOptions", "InvalidOptions", "InvalidOptions", "InvalidOptions"])
    }))
})
