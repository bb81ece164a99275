/**
 * Found by an outside review of issue 20 (what it saw before the fix is described below).
 *
 * README, Errors: "The one typed error is `InvalidOptions` ...: `Timeline.layer` or `Timeline.make`
 * with a `capacity` that is not an integer ≥ 1." Timeline keeps "the last `capacity` records".
 *
 * A capacity of 2 ** 32 is an integer ≥ 1, yet `Timeline.make` dies with `RangeError: Invalid
 * array length`: the ring allocates all `capacity` slots up front (`new Array(capacity)`,
 * `new Float64Array(capacity * 3)`), so a large bound is a defect, not a typed error.
 */
import { assert, describe, it } from "@effect/vitest"
import * as RecordRing from "@fiberkit/sync/RecordRing"
import { Effect, Exit } from "effect"
import * as Timeline from "../src/Timeline.js"

describe("Timeline capacity", () => {
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

  it("the ring grows as records come, and keeps the last capacity records in order once it wraps", () => {
    const ring = RecordRing.make(3000)
    for (let i = 0; i < 5000; i++) {
      ring.push({
        source: "s",
        group: "g",
        lane: undefined,
        label: String(i),
        queuedAt: i,
        startedAt: i,
        endedAt: i + 1,
        outcome: i % 2 === 0 ? "success" : "failure"
      })
    }
    const records = ring.toArray()
    assert.strictEqual(records.length, 3000)
    assert.strictEqual(ring.dropped, 2000)
    assert.deepStrictEqual(records.map((r) => Number(r.label)), Array.from({ length: 3000 }, (_, i) => 2000 + i))
    assert.deepStrictEqual([records[0]!.endedAt, records[0]!.outcome], [2001, "success"])
  })
})
