/**
 * Regressions: KeyedConcurrencyLimiter had a line per key and a global line, an effect holding its
 * key's place while it waited in the global one — so a waiter of a key whose holder waited there
 * was passed by later, lower priorities of other keys (strict), and a key's second arrival, joining
 * the global line only once the first was done, by a later arrival of another key (aging). Now one
 * line holds every key's waiters; an effect enters when it is the first there whose key has room.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import { enter } from "./keyedArrivals.js"

describe("KeyedConcurrencyLimiter priorities across keys, perKey 1 and global 1", () => {
  it.effect("strict: a priority-10 waiter of a busy key is not overtaken by later priority-5 effects of other keys", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1 })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limit("z")(Deferred.await(gate))) // holds the global permit
      yield* Effect.yieldNow
      const order: Array<string> = []
      const fibers = yield* Effect.forEach(
        [
          ["a-low", "a", 0], // takes key a's place, waits in the global line
          ["a-high", "a", 10], // waits in key a's line behind a-low
          ["b-mid", "b", 5], // arrive after a-high, with a lower priority
          ["c-mid", "c", 5],
          ["d-mid", "d", 5]
        ] as const,
        (arrival) => enter(limit, order, arrival)
      )
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.joinAll(fibers)
      // "higher enters first": a-high (10) waited before any priority-5 effect came
      assert.isBelow(
        order.indexOf("a-high"),
        order.indexOf("b-mid"),
        `a-high (priority 10, arrived first) entered after later priority-5 effects: ${order.join(", ")}`
      )
    }))

  it.effect("aging, all priority 0: a key's second arrival enters before a later arrival of another key", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1, aging: "10 millis" })
      const order: Array<string> = []
      const run = (name: string, key: string) =>
        Effect.tap(
          Effect.forkChild(
            limit.withPriority(key, 0)(Effect.andThen(Effect.sync(() => void order.push(name)), Effect.sleep(7)))
          ),
          () => Effect.yieldNow
        )
      const z = yield* run("z", "z") // t=0: holds the global permit until 7
      const a1 = yield* run("a1", "a") // t=0: key a's place, then the global line
      yield* TestClock.adjust("1 millis")
      const a2 = yield* run("a2", "a") // t=1: behind a1 in key a's line
      yield* TestClock.adjust("1 millis")
      const b1 = yield* run("b1", "b") // t=2: global line
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([z, a1, a2, b1])
      // same priority: "a waiter is overtaken only by arrivals within (their priority − its priority) × aging after it"
      assert.deepStrictEqual(order, ["z", "a1", "a2", "b1"])
    }))

  it.effect("one line for all keys: a full key's waiters, ranked ahead, hold back no other key; a hot key takes at most perKey", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 3 })
      const gate = yield* Deferred.make<void>()
      const hot = yield* Effect.forEach(
        [1, 2, 3, 4, 5],
        (p) => Effect.tap(Effect.forkChild(limit.withPriority("hot", p)(Deferred.await(gate))), () => Effect.yieldNow)
      )
      assert.deepStrictEqual([yield* limit.inside("hot"), yield* limit.waiting("hot"), yield* limit.insideAll], [
        2,
        3,
        2
      ])
      assert.strictEqual(yield* limit("cold")(Effect.succeed("at once")), "at once")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll(hot)
      assert.deepStrictEqual([yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll], [0, 0, 0])
    }))
})
