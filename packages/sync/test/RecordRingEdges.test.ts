/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2) of `RecordRing.since`: "The records kept whose ordinal is `from` or more (all
 * kept ones when those are gone), oldest first." A `from` that is not an integer (a cursor sent
 * back as `2.5`, or `NaN` from `Number("x")`) is a number like any other: the ordinals are
 * integers, so the records of ordinal `from` or more are those from `Math.ceil(from)` on (for
 * `NaN`, which no ordinal is "at least", none — or, read leniently, all). It throws instead.
 */
import { assert, describe, it } from "@effect/vitest"
import type * as Recorder from "../src/Recorder.js"
import * as RecordRing from "../src/RecordRing.js"

const record = (i: number): Recorder.TaskRecord => ({
  source: "FiberPool",
  group: "g",
  lane: undefined,
  label: `#${i}`,
  queuedAt: i,
  startedAt: i,
  endedAt: i,
  outcome: "success"
})

const filled = (capacity: number, pushes: number) => {
  const ring = RecordRing.make(capacity)
  for (let i = 0; i < pushes; i++) ring.push(record(i))
  return ring
}

describe("review2: RecordRing.since edge values", () => {
  it("since(a fraction) gives the records of ordinal from or more (does not throw)", () => {
    const ring = filled(3, 5) // keeps ordinals 2, 3, 4
    let labels: Array<string> | string
    try {
      labels = ring.since(3.5).map((r) => r.label)
    } catch (error) {
      labels = `threw ${String(error)}`
    }
    assert.deepStrictEqual(labels, ["#4"])
  })

  it("since(NaN) does not throw", () => {
    const ring = filled(3, 2)
    let outcome: string
    try {
      outcome = `returned ${ring.since(Number.NaN).length} records`
    } catch (error) {
      outcome = `threw ${String(error)}`
    }
    assert.match(outcome, /^returned/)
  })
})
