import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as CountdownLatch from "../src/CountdownLatch.js"

describe("CountdownLatch", () => {
  it.effect("opens after `count` count-downs and stays open", () =>
    Effect.gen(function*() {
      const latch = yield* CountdownLatch.make(3)
      const waiters = yield* Effect.forEach([1, 2], () => Effect.forkChild(latch.await))
      yield* latch.countDown
      yield* latch.countDown
      yield* Leaks.settle
      assert.isTrue(waiters.every((fiber) => fiber.pollUnsafe() === undefined))
      assert.strictEqual(yield* latch.count, 1)
      yield* latch.countDown
      yield* Fiber.joinAll(waiters)
      yield* latch.countDown
      assert.strictEqual(yield* latch.count, 0)
      yield* latch.await
    }))

  it.effect("a latch of zero is open from the start", () =>
    Effect.gen(function*() {
      yield* (yield* CountdownLatch.make(0)).await
    }))

  it.effect("a negative count fails InvalidOptions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(CountdownLatch.make(-1))
      assert.strictEqual(error.message, "CountdownLatch.make: count must be an integer ≥ 0, got -1")
    }))
})
