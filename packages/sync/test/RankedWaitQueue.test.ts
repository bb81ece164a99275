/**
 * `WaitQueue.Ranked` against a model: any sequence of pushes (ranks around 0, with ties), shifts
 * and removals from the middle leaves the line in the order of a stable sort by rank, lowest
 * first, of what is in it — whether it holds one rank (no index) or many (indexed), and across
 * the switches between the two.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { WaitQueue } from "../src/index.js"

interface Waiter extends WaitQueue.RankedNode {
  readonly id: number
}

const waiter = (id: number, rank: number): Waiter => ({ id, rank, prev: undefined, next: undefined, queued: false })

const ids = (line: WaitQueue.Ranked<Waiter>): Array<number> => {
  const out: Array<number> = []
  for (let node = line.first; node !== undefined; node = node.next as Waiter | undefined) out.push(node.id)
  return out
}

const step = Gen.oneof(
  { arbitrary: Gen.record({ push: Gen.integer({ min: -3, max: 3 }) }), weight: 4 },
  { arbitrary: Gen.record({ remove: Gen.integer({ min: 0, max: 50 }) }), weight: 2 },
  { arbitrary: Gen.constant({ shift: true } as const), weight: 1 }
)

describe("WaitQueue.Ranked", () => {
  it.prop(
    "keeps waiters in a stable sort by rank through pushes, shifts and removals from the middle",
    [Gen.array(step, { maxLength: 80 })],
    ([steps]) => {
      const line = new WaitQueue.Ranked<Waiter>()
      const model: Array<Waiter> = []
      let next = 0
      for (const s of steps) {
        if ("push" in s) {
          const w = waiter(next++, s.push)
          line.push(w)
          const at = model.findIndex((m) => m.rank > w.rank)
          model.splice(at === -1 ? model.length : at, 0, w)
        } else if ("remove" in s) {
          if (model.length === 0) continue
          const [w] = model.splice(s.remove % model.length, 1)
          assert.isTrue(line.remove(w!))
          assert.isFalse(line.remove(w!), "a waiter leaves once")
        } else {
          assert.strictEqual(line.shift()?.id, model.shift()?.id)
        }
        assert.deepStrictEqual(ids(line), model.map((m) => m.id))
        assert.strictEqual(line.size, model.length)
        assert.strictEqual(line.last?.id, model.at(-1)?.id)
      }
    }
  )

  it.prop(
    "pushAmong puts a waiter back at its place by rank and arrival, and later pushes still find theirs",
    [Gen.array(Gen.oneof(step, { arbitrary: Gen.record({ back: Gen.integer({ min: 0, max: 50 }) }), weight: 3 }), {
      maxLength: 80
    })],
    ([steps]) => {
      const line = new WaitQueue.Ranked<Waiter>()
      const out: Array<Waiter> = []
      const byArrival = (a: Waiter, b: Waiter) => a.rank - b.rank || a.id - b.id
      let next = 0
      for (const s of steps) {
        if ("push" in s) {
          line.push(waiter(next++, s.push))
        } else if ("back" in s) {
          if (out.length === 0) continue
          const [w] = out.splice(s.back % out.length, 1)
          line.pushAmong(w!, (other) => other.id > w!.id)
        } else {
          // a removal from anywhere (a shift is one from the head)
          const at = "remove" in s ? s.remove % Math.max(1, line.size) : 0
          let w = line.first
          for (let k = 0; k < at; k++) w = w!.next as Waiter
          if (w === undefined) continue
          assert.isTrue(line.remove(w))
          out.push(w)
        }
        const inOrder: Array<Waiter> = []
        for (let node = line.first; node !== undefined; node = node.next as Waiter | undefined) inOrder.push(node)
        assert.deepStrictEqual(ids(line), [...inOrder].sort(byArrival).map((w) => w.id))
        assert.strictEqual(line.last?.id, inOrder.at(-1)?.id)
      }
    }
  )

  it("places a waiter by its rank whatever insertBefore is told", () => {
    const line = new WaitQueue.Ranked<Waiter>()
    const a = waiter(1, 0)
    const b = waiter(2, 5)
    line.push(a)
    line.push(b)
    line.insertBefore(waiter(3, 9), a)
    line.insertBefore(waiter(4, -1), undefined)
    assert.deepStrictEqual(ids(line), [4, 1, 2, 3])
  })

  it("joins 20,000 waiters of ten ranks in order without walking the line", () => {
    const line = new WaitQueue.Ranked<Waiter>()
    for (let i = 0; i < 20_000; i++) line.push(waiter(i, (i * 7) % 10))
    const drained = line.drain()
    assert.strictEqual(drained.length, 20_000)
    for (let i = 1; i < drained.length; i++) {
      const [p, q] = [drained[i - 1]!, drained[i]!]
      assert.isTrue(p.rank < q.rank || (p.rank === q.rank && p.id < q.id))
    }
  })
})
