/**
 * `RankedLine` against a model: any sequence of pushes (ranks around 0, with ties) and shifts
 * takes items out in the order of a stable sort by rank, lowest first, of what is in line — the
 * `Fifo` of rank 0 and the heap of the others interleave as one line. And `Heap` alone.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Heap, RankedLine } from "../src/index.js"

/** What the line must do: a list kept in a stable sort by rank, lowest first. */
class Model {
  private readonly items: Array<{ readonly id: string; readonly rank: number }> = []
  push(id: string, rank: number): void {
    // after every item of the same or a lower rank
    const at = this.items.findIndex((item) => item.rank > rank)
    this.items.splice(at === -1 ? this.items.length : at, 0, { id, rank })
  }
  get firstRank(): number | undefined {
    return this.items[0]?.rank
  }
  ids(): Array<string> {
    return this.items.map((item) => item.id)
  }
  get first(): string | undefined {
    return this.items[0]?.id
  }
  shift(): string {
    return this.items.shift()!.id
  }
  get length(): number {
    return this.items.length
  }
}

describe("RankedLine", () => {
  it.prop(
    "takes items out by rank, lowest first, equal ranks in order of arrival, whatever the pushes and shifts",
    [
      Gen.array(
        Gen.oneof(
          { arbitrary: Gen.integer({ min: -3, max: 3 }), weight: 3 },
          // a shift, where the line is not empty
          { arbitrary: Gen.constant("shift" as const), weight: 2 }
        ),
        { maxLength: 60 }
      )
    ],
    ([steps]) => {
      const line = new RankedLine.RankedLine<string>()
      const model = new Model()
      let n = 0
      const check = () => {
        assert.strictEqual(line.length, model.length)
        assert.strictEqual(line.firstRank, model.firstRank)
        assert.strictEqual(line.peek(), model.first)
        assert.deepStrictEqual([...line].sort(), model.ids().sort())
      }
      for (const step of steps) {
        if (step === "shift") {
          if (model.length > 0) assert.strictEqual(line.shift(), model.shift())
        } else {
          const id = `t${n++}`
          line.push(id, step)
          model.push(id, step)
        }
        check()
      }
      while (model.length > 0) {
        assert.strictEqual(line.shift(), model.shift())
        check()
      }
    },
    { arbitrary: { runs: 300 } }
  )

  it("rank 0 only: a plain first-in, first-out line", () => {
    const line = new RankedLine.RankedLine<string>()
    for (let i = 0; i < 100; i++) line.push(`t${i}`)
    const out = Array.from({ length: 100 }, () => line.shift())
    assert.deepStrictEqual(out, Array.from({ length: 100 }, (_, i) => `t${i}`))
    assert.strictEqual(line.firstRank, undefined)
  })

  it("clear empties both parts and says how many items it dropped", () => {
    const line = new RankedLine.RankedLine<string>()
    line.push("a")
    line.push("b", 2)
    line.push("c", -1)
    assert.strictEqual(line.clear(), 3)
    assert.strictEqual(line.length, 0)
    assert.strictEqual(line.peek(), undefined)
  })
})

describe("Heap", () => {
  it.prop(
    "shifts in the order of a sort by its before, whatever the pushes and shifts",
    [Gen.array(Gen.oneof(Gen.integer({ min: -50, max: 50 }), Gen.constant("shift" as const)), { maxLength: 80 })],
    ([steps]) => {
      const heap = new Heap.Heap<number>((a, b) => a < b)
      const model: Array<number> = []
      for (const step of steps) {
        if (step === "shift") {
          if (model.length === 0) continue
          model.sort((a, b) => a - b)
          assert.strictEqual(heap.shift(), model.shift())
        } else {
          heap.push(step)
          model.push(step)
        }
        assert.strictEqual(heap.length, model.length)
        assert.strictEqual(heap.peek(), model.length === 0 ? undefined : Math.min(...model))
      }
      assert.deepStrictEqual([...heap].sort((a, b) => a - b), model.sort((a, b) => a - b))
    },
    { arbitrary: { runs: 300 } }
  )
})
