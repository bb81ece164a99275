/**
 * Regression test from the issue 23 review: `max` / `chunkSize` is "an integer ≥ 1, or Infinity",
 * but an integer ≥ 2^53 (`Number.MAX_SAFE_INTEGER + 1`, a natural "no limit") died: the check
 * was `Number.isSafeInteger`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

describe("regression (issue 23 review): count arguments", () => {
  it.effect("takeUpTo, takeBatch and toStream accept an integer ≥ 1 above Number.MAX_SAFE_INTEGER", () =>
    Effect.gen(function*() {
      const huge = 2 ** 53
      const queue = yield* JoinableQueue.make<number>()
      yield* queue.putAll([1, 2, 3])
      const upTo = yield* Effect.exit(queue.takeUpTo(huge))
      assert.isTrue(Exit.isSuccess(upTo), `takeUpTo(2 ** 53): ${upTo}`)
      yield* queue.putAll([4, 5])
      const batch = yield* Effect.exit(queue.takeBatch(huge))
      assert.isTrue(Exit.isSuccess(batch), `takeBatch(2 ** 53): ${batch}`)
      yield* queue.putAll([6])
      yield* queue.shutdown()
      const streamed = yield* Effect.exit(Stream.runCollect(JoinableQueue.toStream(queue, { chunkSize: huge })))
      assert.isTrue(Exit.isSuccess(streamed), `toStream({ chunkSize: 2 ** 53 }): ${streamed}`)
    }))
})
