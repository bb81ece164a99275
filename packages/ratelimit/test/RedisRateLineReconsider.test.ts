/**
 * `RateLine` (the line of a `RedisRateLimiter`), its takes answered by hand, on the TestClock: what
 * changes the head's start while a take is on its way — a cheaper request at the head, a resize
 * (`reconsider`) — wins over that take's reply.
 *
 * Review-8 regression test (it failed before the fix): the reply of the take on its way set the time
 * the head could start (`notBefore`) after `reconsider` had cleared it, so the new head waited for
 * the old head's time — here 5 s for a start allowed at once.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { answer, lineByHand, settle } from "./rateLineByHand.js"

describe("RateLine: a reconsider while a take is on its way", () => {
  it.effect("a cheaper, better-ranked request at the head while the take is on its way is asked for at once", () =>
    Effect.gen(function*() {
      const { acquire, takes } = yield* lineByHand()
      const expensive = yield* acquire(5, 0)
      yield* settle
      yield* Deferred.succeed(takes[0]!.reply, answer(0)) // its first try: wait (asked again in 5 s)
      yield* TestClock.adjust("5 seconds")
      assert.deepStrictEqual(takes.map((take) => take.costs), [[5], [5]])
      // the take for the head on its way, a cheaper request arrives ahead of it
      const cheap = yield* acquire(1, -1)
      yield* settle
      yield* Deferred.succeed(takes[1]!.reply, answer(0))
      yield* settle
      assert.deepStrictEqual(takes.map((take) => take.costs), [[5], [5], [1, 5]], "the new head was not asked for")
      yield* Deferred.succeed(takes[2]!.reply, answer(1))
      yield* Fiber.join(cheap)
      assert.isUndefined(expensive.pollUnsafe())
      yield* Fiber.interrupt(expensive)
    }))

  it.effect("a reconsider (a resize heard) while the take is on its way: the head is asked for again at once", () =>
    Effect.gen(function*() {
      const { acquire, line, takes } = yield* lineByHand()
      const waiter = yield* acquire(5, 0)
      yield* settle
      yield* Deferred.succeed(takes[0]!.reply, answer(0))
      yield* TestClock.adjust("5 seconds")
      line.reconsider() // numbers heard while the take was on its way: its wait may be stale
      yield* Deferred.succeed(takes[1]!.reply, answer(0))
      yield* settle
      assert.strictEqual(takes.length, 3)
      yield* Deferred.succeed(takes[2]!.reply, answer(1))
      yield* Fiber.join(waiter)
    }))

  it.effect("without a reconsider, the take's reply sets the head's next ask (no extra take)", () =>
    Effect.gen(function*() {
      const { acquire, takes } = yield* lineByHand()
      const waiter = yield* acquire(5, 0)
      yield* settle
      yield* Deferred.succeed(takes[0]!.reply, answer(0))
      yield* TestClock.adjust("5 seconds")
      yield* Deferred.succeed(takes[1]!.reply, answer(0))
      yield* TestClock.adjust("4999 millis")
      assert.strictEqual(takes.length, 2)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(takes.length, 3)
      yield* Deferred.succeed(takes[2]!.reply, answer(1))
      yield* Fiber.join(waiter)
    }))
})
