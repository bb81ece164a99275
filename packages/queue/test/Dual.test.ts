import { assert, describe, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

/** A shut-down queue holding `items`: its stream gives them all, then ends. */
const drained = (items: ReadonlyArray<number>) =>
  Effect.gen(function*() {
    const queue = yield* JoinableQueue.make<number>()
    yield* queue.putAll(items)
    yield* queue.shutdown()
    return queue
  })

describe("the data-last forms", () => {
  it.effect("toStream: queue.pipe(JoinableQueue.toStream(options)) as toStream(queue, options), and with no options", () =>
    Effect.gen(function*() {
      // chunks of at most 2: the chunk size reaches toStream through the pipe
      const piped = yield* (yield* drained([1, 2, 3, 4, 5])).pipe(
        JoinableQueue.toStream({ chunkSize: 2 }),
        Stream.chunks,
        Stream.runCollect
      )
      const direct = yield* Stream.runCollect(Stream.chunks(JoinableQueue.toStream(yield* drained([1, 2, 3, 4, 5]), {
        chunkSize: 2
      })))
      assert.deepStrictEqual(piped, [[1, 2], [3, 4], [5]])
      assert.deepStrictEqual(piped, direct)
      assert.deepStrictEqual(yield* (yield* drained([6, 7])).pipe(JoinableQueue.toStream(), Stream.runCollect), [6, 7])
    }))

  it.effect("toStream data-last with an invalid chunkSize dies naming it, as the data-first form does", () =>
    Effect.gen(function*() {
      const queue = yield* drained([1])
      const exit = yield* Effect.exit(queue.pipe(JoinableQueue.toStream({ chunkSize: 0 }), Stream.runCollect))
      assert.isTrue(exit._tag === "Failure" && String(exit.cause).includes("chunkSize must be an integer ≥ 1"))
      assert.strictEqual(yield* queue.size, 1)
    }))
})
