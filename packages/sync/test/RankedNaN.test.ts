/**
 * From a review of `WaitQueue.Ranked` (and so `Permits.PermitPool`, whose `takeThen` takes any `rank`):
 * "A line of waiters kept in order of rank, lowest first, equal ranks in order of arrival". One
 * NaN-ranked waiter, once it had left, left the line's index of ranks broken, so valid ranks were
 * misplaced for good (both tests failed). A NaN rank is now a defect, refused before the line changes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { Permits, WaitQueue } from "../src/index.js"

interface Waiter extends WaitQueue.RankedNode {
  readonly id: string
}

const waiter = (id: string, rank: number): Waiter => ({ id, rank, prev: undefined, next: undefined, queued: false })

const ids = (line: WaitQueue.Ranked<Waiter>): Array<string> => {
  const out: Array<string> = []
  for (let node = line.first; node !== undefined; node = node.next as Waiter | undefined) out.push(node.id)
  return out
}

describe("WaitQueue.Ranked and PermitPool refuse a NaN rank", () => {
  it("after a NaN-ranked waiter left, later waiters are in order of rank again (or the NaN is refused at push)", () => {
    const line = new WaitQueue.Ranked<Waiter>()
    line.push(waiter("one", 1))
    const bad = waiter("nan", Number.NaN)
    let refused = false
    try {
      line.push(bad)
      line.remove(bad)
    } catch {
      refused = true // a defect at push would keep the line sound
    }
    line.push(waiter("zero", 0))
    line.push(waiter("two", 2))
    assert.isTrue(refused, "a NaN rank is refused")
    assert.deepStrictEqual(
      { order: ids(line), size: line.size },
      { order: ["zero", "one", "two"], size: 3 },
      `refused: ${refused}`
    )
  })

  it.effect("PermitPool: a waiter of rank NaN interrupted while it waits leaves later waiters served out of rank order", () =>
    Effect.gen(function*() {
      const pool = new Permits.PermitPool(0)
      const order: Array<string> = []
      const wait = (name: string, rank: number) =>
        Effect.tap(
          Effect.forkChild(Effect.uninterruptibleMask((restore) =>
            pool.takeThen(1, restore, Effect.sync(() => void order.push(name)), rank)
          )),
          () =>
            Effect.yieldNow
        )
      const one = yield* wait("one", 1)
      const nan = yield* wait("nan", Number.NaN)
      yield* Fiber.interrupt(nan)
      const zero = yield* wait("zero", 0)
      const two = yield* wait("two", 2)
      pool.resize(3)
      yield* Fiber.joinAll([one, zero, two])
      // "lower ranks are served first"
      assert.deepStrictEqual(order, ["zero", "one", "two"])
    }))
})
