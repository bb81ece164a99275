import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import * as FiberPool from "../src/FiberPool.js"

/** What a pool's future still holds of its task: its effect and its caller's context. */
const held = (future: unknown) => {
  const job = future as { readonly run: unknown; readonly context: unknown }
  return { run: job.run !== undefined, context: job.context !== undefined }
}

describe("FiberPool futures forget their task once settled", () => {
  it.effect("a future kept after its task ended holds neither the effect nor the caller's context", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const busy = yield* pool.submit(Deferred.await(gate))
      const done = yield* pool.submit(Effect.succeed(1))
      const cancelled = yield* pool.submit(Effect.succeed(2))
      // pending: both still needed
      assert.deepStrictEqual(held(done), { run: true, context: true })
      assert.isTrue(yield* cancelled.cancel)
      assert.deepStrictEqual(held(cancelled), { run: false, context: false })
      yield* Deferred.succeed(gate, undefined)
      yield* busy.result
      assert.strictEqual(yield* done.result, 1)
      assert.deepStrictEqual(held(done), { run: false, context: false })
      assert.deepStrictEqual(held(busy), { run: false, context: false })
    })))
})
