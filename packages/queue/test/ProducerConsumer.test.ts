import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Cause, Effect, Stream } from "effect"
import * as ProducerConsumer from "../src/ProducerConsumer.js"

describe("ProducerConsumer.run", () => {
  it.effect("every item of every producer is consumed once", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const result = yield* TestTime.run(ProducerConsumer.run({
        capacity: 2,
        producers: 2,
        consumers: 3,
        produce: (p) => Stream.range(1, 5).pipe(Stream.map((i) => `P${p}-${i}`)),
        consume: (item) => Effect.andThen(Effect.sync(() => seen.push(item)), Effect.sleep(10))
      }))
      assert.deepStrictEqual(result, { produced: 10, consumed: 10, failed: 0, failures: [] })
      assert.deepStrictEqual(
        [...seen].sort(),
        ["P0-1", "P0-2", "P0-3", "P0-4", "P0-5", "P1-1", "P1-2", "P1-3", "P1-4", "P1-5"]
      )
    }))

  it.effect("a consumer's failure is counted and reported with its item, and the others carry on", () =>
    Effect.gen(function*() {
      const result = yield* TestTime.run(ProducerConsumer.run({
        consumers: 2,
        produce: () => Stream.range(1, 6),
        consume: (n) => (n % 3 === 0 ? Effect.fail(`bad ${n}` as const) : Effect.sleep(5))
      }))
      assert.strictEqual(result.produced, 6)
      assert.strictEqual(result.consumed, 4)
      assert.strictEqual(result.failed, 2)
      assert.deepStrictEqual(result.failures.map((f) => f.item).sort(), [3, 6])
      assert.deepStrictEqual(result.failures.map((f) => Cause.squash(f.cause)).sort(), ["bad 3", "bad 6"])
    }))

  it.effect("a defect in consume is a counted failure too", () =>
    Effect.gen(function*() {
      const result = yield* ProducerConsumer.run({
        produce: () => Stream.make(1, 2),
        consume: (n) => (n === 1 ? Effect.die("bug") : Effect.void)
      })
      assert.deepStrictEqual([result.consumed, result.failed], [1, 1])
      assert.isTrue(Cause.hasDies(result.failures[0]!.cause))
    }))

  it.effect("a failing producer fails the run after the consumers drain what it produced", () =>
    Effect.gen(function*() {
      let consumed = 0
      const error = yield* Effect.flip(ProducerConsumer.run({
        producers: 1,
        produce: () => Stream.concat(Stream.make(1, 2, 3), Stream.fail("source broke" as const)),
        consume: () => Effect.sync(() => consumed++)
      }))
      assert.strictEqual(error, "source broke")
      assert.strictEqual(consumed, 3)
    }))

  it.effect("invalid counts fail InvalidOptions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ProducerConsumer.run({
        consumers: 0,
        produce: () => Stream.empty,
        consume: () => Effect.void
      }))
      assert.strictEqual(error._tag, "InvalidOptions")
      assert.strictEqual(
        (error as { message: string }).message,
        "ProducerConsumer.run: consumers must be an integer ≥ 1, got 0"
      )
    }))
})
