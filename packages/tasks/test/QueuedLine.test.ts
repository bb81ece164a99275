/**
 * The local stores' line of queued tasks against a model: any sequence of pushes (priorities
 * around 0, with ties) and shifts takes ids out in the order of a stable sort by priority,
 * highest first, of what is in line — the `Fifo` of priority 0 and the heap of the others
 * interleave as one line.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { QueuedLine } from "../src/internal/queuedLine.js"

/** What the line must do: a list kept in a stable sort by priority, highest first. */
class Model {
  private readonly items: Array<{ readonly id: string; readonly priority: number }> = []
  push(id: string, priority: number): void {
    // after every item of the same or a higher priority
    const at = this.items.findIndex((item) => item.priority < priority)
    this.items.splice(at === -1 ? this.items.length : at, 0, { id, priority })
  }
  get firstPriority(): number | undefined {
    return this.items[0]?.priority
  }
  shift(): string {
    return this.items.shift()!.id
  }
  get length(): number {
    return this.items.length
  }
}

describe("QueuedLine", () => {
  it.prop(
    "takes ids out by priority, highest first, equal priorities in order of arrival, whatever the pushes and shifts",
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
      const line = new QueuedLine()
      const model = new Model()
      let n = 0
      const check = () => {
        assert.strictEqual(line.length, model.length)
        assert.strictEqual(line.firstPriority, model.firstPriority)
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

  it("priority 0 only: a plain first-in, first-out line", () => {
    const line = new QueuedLine()
    for (let i = 0; i < 100; i++) line.push(`t${i}`, 0)
    const out = Array.from({ length: 100 }, () => line.shift())
    assert.deepStrictEqual(out, Array.from({ length: 100 }, (_, i) => `t${i}`))
    assert.strictEqual(line.firstPriority, undefined)
  })
})
