import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Option } from "effect"
import * as FiberPool from "../src/FiberPool.js"

describe("Future", () => {
  it.effect("a task that fails and whose finalizer is interrupted fails with its error, not as cancelled", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ maxWorkers: 1 })
      // the task's cause: its failure, then the finalizer's interruption
      const future = yield* pool.submit(Effect.fail("boom" as const).pipe(Effect.ensuring(Effect.interrupt)))
      yield* future.await
      assert.isFalse(yield* future.isCancelled)
      const cause = yield* future.exception
      assert.isTrue(Option.isSome(cause))
      assert.deepStrictEqual(Cause.failureOption(Option.getOrThrow(cause)), Option.some("boom" as const))
      assert.strictEqual(yield* Effect.flip(future.result), "boom")
    })))
})
