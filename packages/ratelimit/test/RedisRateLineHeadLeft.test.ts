/**
 * Review-10 regression test (it failed before the fix; Redis lines): `RateLine` when its head leaves without a `reconsider` — the next head,
 * which costs less, waits for the old head's time (up to `RECHECK_MILLIS`, 5 s) instead of being
 * asked for at once. README ("Guarantees"): "A request interrupted while it waits consumes
 * nothing, and the next one takes its turn"; `reconsider`'s JSDoc: "The head computes its start
 * again now (the numbers changed, or the head did)".
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { PendingBound } from "../src/internal/redis/steering.js"
import { answer, lineByHand, settle } from "./rateLineByHand.js"

describe("RateLine, its head gone without a reconsider", () => {
  it.effect("the head interrupted while a take sent after a reconsider is on its way: the cheaper next is asked for at once", () =>
    Effect.gen(function*() {
      const { acquire, line, takes } = yield* lineByHand(new PendingBound("test", undefined, "fail"))
      const expensive = yield* acquire(5, 0)
      yield* settle
      yield* Deferred.succeed(takes[0]!.reply, answer(0)) // its first try: wait (asked again in 5 s)
      yield* settle
      const cheap = yield* acquire(1, 0) // behind it
      yield* settle
      line.reconsider() // a resize heard: the head is asked for at once
      yield* settle
      assert.deepStrictEqual(takes.map((take) => take.costs), [[5], [5, 1]])
      // the head leaves while that take is on its way; the take's reply (about the head) comes after
      yield* Fiber.interrupt(expensive)
      yield* Deferred.succeed(takes[1]!.reply, answer(0))
      yield* settle
      // expected: the new head (cost 1) is asked for at once, as when the head leaves at any other time
      assert.deepStrictEqual(
        takes.map((take) => take.costs),
        [[5], [5, 1], [1]],
        "the cheaper request now at the head waits for the time of the head that left"
      )
      yield* Deferred.succeed(takes[2]!.reply, answer(1))
      yield* Fiber.join(cheap)
    }))

  it.effect("the head dropped for a newer request (dropOldest): the cheaper next is asked for at once", () =>
    Effect.gen(function*() {
      const { acquire, takes } = yield* lineByHand(new PendingBound("test", 2, "dropOldest"))
      const expensive = yield* acquire(5, 0)
      yield* settle
      yield* Deferred.succeed(takes[0]!.reply, answer(0)) // its first try: wait (asked again in 5 s)
      yield* settle
      const cheap = yield* acquire(1, 0)
      yield* settle
      const newest = yield* acquire(1, 0) // the line is full: the oldest (the head) is dropped
      yield* settle
      const dropped = yield* Fiber.await(expensive)
      assert.isTrue(Exit.isFailure(dropped), "the head was not dropped")
      // expected: the new head (cost 1) is asked for at once; observed: nothing until the old head's time
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(
        takes.map((take) => take.costs),
        [[5], [1, 1]],
        "the cheaper request now at the head waits for the time of the head that was dropped"
      )
      yield* Deferred.succeed(takes[1]!.reply, answer(2))
      yield* Fiber.join(cheap)
      yield* Fiber.join(newest)
    }))
})
