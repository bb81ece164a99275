/**
 * Review of KeyedConcurrencyLimiter.withPriority: a waiter of one key stuck behind its own key's
 * holder, who itself waits in the global line, is overtaken there by lower priorities of other
 * keys that arrived after it (priority inversion across the two lines).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import * as Aging from "./aging.js"

/** Forks `limit.withPriority(key, priority)` of an effect that records `name`, and lets it register. */
const enter = (
  limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string>,
  order: Array<string>,
  [name, key, priority]: readonly [string, string, number]
) =>
  Effect.tap(
    Effect.forkChild(limit.withPriority(key, priority)(Effect.sync(() => void order.push(name)))),
    () => Effect.yieldNow
  )

describe("review: KeyedConcurrencyLimiter priorities across the key line and the global line", () => {
  it.effect("strict: a priority-10 waiter is overtaken by priority-5 effects of other keys that came after it", () =>
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

  it.effect("aging, all priority 0: an effect of key b arriving 1 ms after one of key a enters before it", () =>
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
})
