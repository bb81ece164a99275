import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

// Review-9 regression test (failed before the fix): what `pending` and `awaitSizeBelow` say while a map runs.
describe("FiberPool counts during a map", () => {
  // JSDoc (FiberPool.pending): "Submitted tasks waiting for a worker"; (awaitSizeBelow): "Waits
  // until fewer than `size` submitted tasks are pending". README ("A `map` under steering"):
  // "While items are left, one of its lanes waits in line (`pending` counts it)" — once every
  // item has been taken, nothing of the map waits for a worker.
  it.effect("once every item of a map has been taken, pending is 0 and awaitSizeBelow(1) returns", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const lastStarted = yield* Deferred.make<void>()
      const mapped = yield* Effect.forkChild(
        pool.map(
          [0, 1],
          (i) => i === 1 ? Effect.andThen(Deferred.succeed(lastStarted, undefined), Deferred.await(gate)) : Effect.void
        )
      )
      yield* Deferred.await(lastStarted) // item 0 done, item 1 (the last) runs: no item left
      const counts = [yield* pool.running, yield* pool.pending]
      const below = yield* Effect.forkChild(pool.awaitSizeBelow(1))
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow
      const returned = below.pollUnsafe() !== undefined
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(mapped)
      yield* Fiber.join(below)
      // observed: [1, 1] and awaitSizeBelow(1) waiting — a lane with no item left to take waits in line
      assert.deepStrictEqual(counts, [1, 0], "[running, pending] while the last item runs")
      assert.isTrue(returned, "awaitSizeBelow(1) waited while nothing of the map was left to start")
    })))
})
