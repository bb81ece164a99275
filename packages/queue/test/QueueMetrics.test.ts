import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { Gen } from "@fiberkit/testkit"
import { Effect, Fiber, Metric } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

const metered = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

const values = (group: string) => Telemetry.values("JoinableQueue", group)

describe("JoinableQueue metrics", () => {
  it.effect("pending is the items in the queue; a take for good is succeeded; an immediate shutdown's drop is dropped", () =>
    metered(Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<number>({ name: "jobs" })
      yield* queue.putAll([1, 2, 3, 4])
      yield* queue.put(5)
      assert.strictEqual((yield* values("jobs")).pending, 5)
      yield* queue.take
      yield* queue.takeUpTo(2)
      let v = yield* values("jobs")
      assert.strictEqual(v.pending, 2)
      assert.strictEqual(v.outcomes.succeeded, 3)
      yield* queue.shutdown({ immediate: true })
      v = yield* values("jobs")
      assert.strictEqual(v.pending, 0)
      assert.deepStrictEqual(v.outcomes, { succeeded: 3, failed: 0, interrupted: 0, rejected: 0, dropped: 2 })
      assert.strictEqual(v.running, 0)
      assert.strictEqual(v.waitTime.count, 0)
    })))

  it.effect("an item handed to a taker interrupted before it resumed goes back, counted once when taken", () =>
    metered(Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<number>({ name: "q" })
      const taker = yield* Effect.forkChild(queue.take)
      yield* Effect.yieldNow
      yield* queue.put(1) // handed to the waiting taker, which has not resumed yet
      yield* Fiber.interrupt(taker)
      assert.strictEqual((yield* values("q")).pending, 1)
      assert.strictEqual(yield* queue.take, 1)
      const v = yield* values("q")
      assert.deepStrictEqual([v.pending, v.outcomes.succeeded], [0, 1])
    })))

  it.effect.prop(
    "property: puts, takes and a final shutdown — pending is always the size; every item ends once",
    [
      Gen.array(
        Gen.oneof(
          Gen.record({ put: Gen.integer({ min: 1, max: 5 }) }),
          Gen.record({ take: Gen.integer({ min: 1, max: 5 }) })
        ),
        { maxLength: 20 }
      ),
      Gen.boolean
    ],
    ([ops, immediate]) =>
      metered(Effect.gen(function*() {
        const queue = yield* JoinableQueue.make<number>({ name: "p" })
        let put = 0
        let taken = 0
        for (const op of ops) {
          if ("put" in op) {
            yield* queue.putAll(Array.from({ length: op.put }, (_, i) => i))
            put += op.put
          } else {
            taken += (yield* queue.takeUpTo(op.take)).length
          }
          assert.strictEqual((yield* values("p")).pending, yield* queue.size)
        }
        yield* queue.shutdown({ immediate })
        if (!immediate && put > 0) taken += (yield* queue.takeUpTo(put)).length
        const v = yield* values("p")
        assert.strictEqual(v.pending, 0)
        assert.strictEqual(v.outcomes.succeeded, taken)
        assert.strictEqual(v.outcomes.succeeded + v.outcomes.dropped, put)
      })),
    { arbitrary: { runs: 50 } }
  )

  it.effect("fiberkit_limit: a bounded queue's capacity; an unbounded queue (capacity absent or 0) has none", () =>
    metered(Effect.gen(function*() {
      const bounded = yield* JoinableQueue.make<number>({ capacity: 3, name: "bounded", kind: "lifo" })
      assert.strictEqual((yield* values("bounded")).limit, 3)
      yield* bounded.putAll([1, 2, 3])
      assert.strictEqual((yield* values("bounded")).limit, 3)
      yield* JoinableQueue.make<number>({ name: "unbounded" })
      yield* JoinableQueue.make<number>({ capacity: 0, name: "zero" })
      for (const group of ["unbounded", "zero"]) assert.isUndefined((yield* values(group)).limit)
      const limits = (yield* Metric.snapshot).filter((s) => s.id === Telemetry.names.limit)
      assert.deepStrictEqual(limits.map((s) => s.attributes?.group), ["bounded"])
    })))
})
