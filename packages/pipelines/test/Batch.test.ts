import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Gen, TestTime } from "@fiberkit/testkit"
import { Chunk, Effect, Stream } from "effect"
import * as Batch from "../src/Batch.js"

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Stream.runCollect(stream)

describe("Batch.batch", () => {
  it.effect("is dual: in a pipe, the stream first, the same batches", () =>
    Effect.gen(function*() {
      const process = (items: Chunk.Chunk<number>, index: number) => Effect.succeed(`${index}:${Chunk.size(items)}`)
      const piped = yield* collect(Stream.range(1, 7).pipe(Batch.batch({ size: 3, concurrency: 2 }, process)))
      const direct = yield* collect(Batch.batch(Stream.range(1, 7), { size: 3, concurrency: 2 }, process))
      assert.deepStrictEqual(piped, ["0:3", "1:3", "2:1"])
      assert.deepStrictEqual(piped, direct)
    }))

  it.effect("groups into batches of `size`, the last smaller, each with its index", () =>
    Effect.gen(function*() {
      const batches = yield* collect(
        Batch.batch(Stream.range(1, 10), { size: 3, concurrency: 2 }, (items, index) =>
          Effect.succeed([index, Chunk.toReadonlyArray(items)] as const))
      )
      assert.deepStrictEqual(batches, [
        [0, [1, 2, 3]],
        [1, [4, 5, 6]],
        [2, [7, 8, 9]],
        [3, [10]]
      ])
    }))

  it.effect("an empty stream gives no batches; fewer items than `size` give one", () =>
    Effect.gen(function*() {
      const sizes = (stream: Stream.Stream<number>) =>
        collect(Batch.batch(stream, { size: 5, concurrency: 1 }, (items) => Effect.succeed(Chunk.size(items))))
      assert.deepStrictEqual(yield* sizes(Stream.empty), [])
      assert.deepStrictEqual(yield* sizes(Stream.make(1, 2)), [2])
      assert.deepStrictEqual(yield* sizes(Stream.range(1, 10)), [5, 5])
    }))

  it.effect("at most `concurrency` batches at once; results in input order though later batches finish first", () =>
    Effect.gen(function*() {
      const probe = yield* ConcurrencyProbe.make
      const ends: Array<number> = []
      const results = yield* TestTime.run(collect(
        Batch.batch(Stream.range(1, 20), { size: 4, concurrency: 3 }, (items, index) =>
          probe.track(
            // batch 0 takes 5 s, batch 4 takes 1 s: later batches finish first
            Effect.sleep(`${5 - index} seconds`).pipe(
              Effect.andThen(Effect.sync(() => ends.push(index))),
              Effect.as(Chunk.toReadonlyArray(items).reduce((a, b) => a + b, 0))
            ),
            String(index)
          ))
      ))
      assert.deepStrictEqual(results, [10, 26, 42, 58, 74])
      assert.strictEqual(yield* probe.peak, 3)
      assert.deepStrictEqual((yield* probe.starts).slice(0, 3), ["0", "1", "2"])
      // the batches did not end in input order, but the results came out in it
      assert.notDeepEqual(ends, [0, 1, 2, 3, 4])
      assert.deepStrictEqual([...ends].sort(), [0, 1, 2, 3, 4])
    }))

  it.effect("a failing batch fails the stream with its error; so does a failing source", () =>
    Effect.gen(function*() {
      const fromBatch = yield* Effect.flip(collect(
        Batch.batch(Stream.range(1, 9), { size: 3, concurrency: 2 }, (items, index) =>
          index === 1 ? Effect.fail(`batch ${index}`) : Effect.succeed(Chunk.size(items)))
      ))
      assert.strictEqual(fromBatch, "batch 1")
      const fromSource = yield* Effect.flip(collect(
        Batch.batch(
          Stream.concat(Stream.make(1, 2), Stream.fail("source")),
          { size: 3, concurrency: 2 },
          (items) =>
            Effect.succeed(Chunk.size(items))
        )
      ))
      assert.strictEqual(fromSource, "source")
    }))

  it.effect("size or concurrency below 1, or not integers, fail InvalidOptions", () =>
    Effect.gen(function*() {
      const cases: Array<[{ size: number; concurrency: number }, string]> = [
        [{ size: 0, concurrency: 1 }, "size"],
        [{ size: 2.5, concurrency: 1 }, "size"],
        [{ size: Number.NaN, concurrency: 1 }, "size"],
        [{ size: 2, concurrency: 0 }, "concurrency"],
        [{ size: 2, concurrency: -3 }, "concurrency"],
        [{ size: 2, concurrency: Number.POSITIVE_INFINITY }, "concurrency"]
      ]
      for (const [options, field] of cases) {
        const error = yield* Effect.flip(collect(Batch.batch(Stream.make(1, 2, 3), options, Effect.succeed)))
        assert.strictEqual(error._tag, "InvalidOptions", field)
        assert.strictEqual(error.field, field)
      }
    }))

  it.effect("the same stream run twice numbers its batches from 0 both times", () =>
    Effect.gen(function*() {
      const indices = Batch.batch(Stream.range(1, 6), { size: 2, concurrency: 2 }, (_, index) => Effect.succeed(index))
      assert.deepStrictEqual(yield* collect(indices), [0, 1, 2])
      assert.deepStrictEqual(yield* collect(indices), [0, 1, 2])
    }))

  it.effect.prop(
    "any items, size and concurrency: the batches concatenated are the input, in order, each item once",
    [
      Gen.array(Gen.integer({ min: 0, max: 5 }), { maxLength: 120 }),
      Gen.integer({ min: 1, max: 20 }),
      Gen.integer({ min: 1, max: 8 })
    ],
    ([delays, size, concurrency]) =>
      Effect.gen(function*() {
        // item i is i; its delay makes its batch take longer or shorter
        const items = delays.map((_, i) => i)
        const probe = yield* ConcurrencyProbe.make
        const batches = yield* TestTime.run(collect(
          Batch.batch(Stream.fromIterable(items), { size, concurrency }, (batch, index) =>
            probe.track(
              Effect.as(
                Effect.sleep(`${Chunk.reduce(batch, 0, (d, i) => d + delays[i]!)} millis`),
                { index, items: Chunk.toReadonlyArray(batch) }
              )
            ))
        ))
        assert.deepStrictEqual(batches.flatMap((b) => b.items), items)
        assert.deepStrictEqual(batches.map((b) => b.index), batches.map((_, i) => i))
        assert.strictEqual(batches.length, Math.ceil(items.length / size))
        for (const [i, b] of batches.entries()) {
          if (i < batches.length - 1) assert.strictEqual(b.items.length, size)
          else assert.isTrue(b.items.length >= 1 && b.items.length <= size)
        }
        assert.isAtMost(yield* probe.peak, concurrency)
      }),
    { arbitrary: { runs: 100 }, timeout: 30_000 }
  )
})
