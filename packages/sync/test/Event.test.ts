import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Event from "../src/Event.js"

describe("Event", () => {
  it.effect("wait blocks until set, and set wakes every waiter", () =>
    Effect.gen(function*() {
      const event = yield* Event.make
      const waiters = yield* Effect.forEach([1, 2, 3], (i) => Effect.forkChild(Effect.as(event.wait, i)))
      yield* Leaks.settle
      assert.isTrue(waiters.every((fiber) => fiber.pollUnsafe() === undefined))
      assert.strictEqual(yield* event.waiting, 3)
      yield* event.set
      assert.deepStrictEqual(yield* Fiber.joinAll(waiters), [1, 2, 3])
      assert.isTrue(yield* event.isSet)
      yield* event.wait // returns at once while set
    }))

  it.effect("set then clear: the next wait blocks again", () =>
    Effect.gen(function*() {
      const event = yield* Event.make
      yield* event.set
      yield* event.clear
      assert.isFalse(yield* event.isSet)
      const waiter = yield* Effect.forkChild(event.wait)
      yield* Leaks.settle
      assert.isUndefined(waiter.pollUnsafe())
      yield* event.set
      yield* Fiber.join(waiter)
    }))

  it.effect("a waiter woken by set returns even if the flag is cleared before it runs", () =>
    Effect.gen(function*() {
      const event = yield* Event.make
      const waiter = yield* Effect.forkChild(Effect.as(event.wait, "woken"))
      yield* Leaks.settle
      yield* Effect.andThen(event.set, event.clear)
      assert.strictEqual(yield* Fiber.join(waiter), "woken")
    }))

  it.effect("waitFor returns true when set in time and false on timeout, leaving no waiter", () =>
    Effect.gen(function*() {
      const event = yield* Event.make
      const late = yield* Effect.forkChild(event.waitFor("1 second"))
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* Fiber.join(late))
      assert.strictEqual(yield* event.waiting, 0)
      const early = yield* Effect.forkChild(event.waitFor("1 second"))
      yield* TestClock.adjust("500 millis")
      yield* event.set
      assert.isTrue(yield* Fiber.join(early))
      assert.isTrue(yield* event.waitFor(0))
    }))

  it.effect("an interrupted waiter leaves", () =>
    Effect.gen(function*() {
      const event = yield* Event.make
      const waiter = yield* Effect.forkChild(event.wait)
      yield* Leaks.settle
      yield* Fiber.interrupt(waiter)
      assert.strictEqual(yield* event.waiting, 0)
    }))

  // Regression (outside review of the Effect 4 port): `set` woke waiters in a loop while each woken
  // waiter ran at once, inside the loop (Effect 4): one that cleared the event and waited again
  // was back in the line before the loop looked, so the same `set` woke it again, for ever.
  it.effect("one set wakes a waiter that clears the event and waits again once", () =>
    Effect.gen(function*() {
      const event = yield* Event.make
      let rounds = 0
      const worker = yield* Effect.forkChild(Effect.gen(function*() {
        while (rounds < 1000) {
          yield* event.wait
          rounds++
          yield* event.clear
        }
      }))
      yield* Leaks.settle
      yield* event.set
      yield* Leaks.settle
      assert.strictEqual(rounds, 1)
      assert.strictEqual(yield* event.waiting, 1)
      yield* Fiber.interrupt(worker)
    }))
})
