import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import * as Barrier from "../src/Barrier.js"

// Python: reset() "puts the barrier into the default, empty state; any threads waiting on it will
// receive BrokenBarrierError" — a thread that catches it and waits again joins the fresh barrier.
// Regression (outside review of the Effect 4 port): breakWith settled each waiting party inline
// (Effect 4), before `reset` had cleared `broken`: a party that waited again at once was refused
// with a second BrokenBarrier("reset") from a barrier that reset had already mended.
describe("Barrier.reset and a party that waits again", () => {
  it.live("parties that retry after reset meet the third party in the fresh generation", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(3)
      const log: Array<string> = []
      const party = (name: string) =>
        Effect.gen(function*() {
          const first = yield* Effect.result(barrier.await)
          log.push(`${name}: ${first._tag === "Failure" ? first.failure.reason : "passed"}`)
          const second = yield* Effect.result(barrier.await) // wait again, on the reset barrier
          log.push(`${name} again: ${second._tag === "Failure" ? second.failure.reason : "passed"}`)
        })
      const a = yield* Effect.forkChild(party("a"))
      const b = yield* Effect.forkChild(party("b"))
      yield* Effect.yieldNow
      yield* barrier.reset
      const third = yield* Effect.forkChild(Effect.result(barrier.await))
      yield* Effect.timeoutOption(Fiber.joinAll([a, b]), 1000)
      yield* Effect.timeoutOption(Fiber.join(third), 1000)
      assert.isTrue(log.includes("a again: passed") && log.includes("b again: passed"), log.join("; "))
    }))
})
