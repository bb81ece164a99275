/**
 * README, Errors: "The one typed error is `InvalidOptions` ...: `Timeline.layer` or `Timeline.make`
 * with a `capacity` that is not an integer ≥ 1." Timeline keeps "the last `capacity` records".
 *
 * A capacity of 2 ** 32 is an integer ≥ 1, yet `Timeline.make` dies with `RangeError: Invalid
 * array length`: the ring allocates all `capacity` slots up front (`new Array(capacity)`,
 * `new Float64Array(capacity * 3)`), so a large bound is a defect, not a typed error.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Timeline from "../../src/Timeline.js"

describe("review: Timeline capacity", () => {
  it.effect("capacity 2 ** 32 (an integer ≥ 1): a timeline that records", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Timeline.make({ capacity: 2 ** 32 }))
      assert.isTrue(Exit.isSuccess(exit), `Timeline.make failed: ${String(exit)}`)
      if (Exit.isSuccess(exit)) {
        const timeline = exit.value
        yield* Effect.void.pipe(Timeline.recorded("a"), Timeline.recording(timeline))
        assert.strictEqual((yield* timeline.records).length, 1)
      }
    }))
})
