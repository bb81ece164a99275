/**
 * `RecordRing` against a model (every record pushed, in a list): whatever the capacity and the
 * pushes, it keeps the last `capacity`, gives them back as they were, counts the dropped ones,
 * and `since(n)` gives the kept ones of ordinal `n` or more.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import type * as Recorder from "../src/Recorder.js"
import * as RecordRing from "../src/RecordRing.js"

const outcomes: ReadonlyArray<Recorder.Outcome> = ["success", "failure", "interrupted"]

describe("RecordRing", () => {
  it.prop(
    "keeps the last capacity records as they were; since(n) gives those of ordinal n or more",
    [
      Gen.integer({ min: 1, max: 50 }),
      Gen.array(
        Gen.tuple(Gen.integer({ min: 0, max: 2 }), Gen.option(Gen.integer({ min: 0, max: 3 }), { nil: undefined })),
        {
          maxLength: 300
        }
      ),
      Gen.array(Gen.integer({ min: 0, max: 320 }), { maxLength: 5 })
    ],
    ([capacity, pushes, reads]) => {
      const ring = RecordRing.make(capacity)
      const all: Array<Recorder.TaskRecord> = []
      pushes.forEach(([outcome, lane], i) => {
        const record: Recorder.TaskRecord = {
          source: "S",
          group: String(i % 3),
          lane: lane === undefined ? undefined : `worker ${lane}`,
          label: `#${i}`,
          queuedAt: i,
          startedAt: i + 0.5,
          endedAt: i + 1.25,
          outcome: outcomes[outcome]!
        }
        all.push(record)
        ring.push(record)
      })
      const kept = all.slice(Math.max(0, all.length - capacity))
      assert.deepStrictEqual(ring.toArray(), kept)
      assert.strictEqual(ring.pushed, all.length)
      assert.strictEqual(ring.dropped, all.length - kept.length)
      for (const from of reads) {
        assert.deepStrictEqual(ring.since(from), all.slice(Math.max(from, all.length - capacity)))
      }
      ring.clear()
      assert.deepStrictEqual([ring.toArray(), ring.pushed, ring.dropped], [[], 0, 0])
    }
  )
})
