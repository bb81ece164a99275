import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as FiberPool from "../src/FiberPool.js"
import * as Future from "../src/Future.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { sharedPool } from "./fixtures/sharedPool.js"
import { half } from "./fixtures/tasks.js"

/** Values no guard accepts. */
const strangers: ReadonlyArray<unknown> = [{}, null, undefined, 42, "FiberPool", () => {}, Effect.void]

describe("guards", { timeout: 60_000 }, () => {
  // one worker thread, started once for the block
  const One = sharedPool(1)

  it.effect("isFiberPool, isWorkerPool and isFuture accept what their module makes, and nothing else", () =>
    Effect.scoped(Effect.gen(function*() {
      const fiberPool = yield* FiberPool.make({ concurrency: 1 })
      const workerPool = yield* One
      const future = yield* fiberPool.submit(Effect.succeed(1))
      const call = half(2) // a WorkerTask call: an Effect, no pool
      const made = { fiberPool, workerPool, future, call }
      type Name = keyof typeof made
      const guards: Record<Exclude<Name, "call">, (u: unknown) => boolean> = {
        fiberPool: FiberPool.isFiberPool,
        workerPool: WorkerPool.isWorkerPool,
        future: Future.isFuture
      }
      for (const [guardName, guard] of Object.entries(guards)) {
        for (const [valueName, value] of Object.entries(made)) {
          assert.strictEqual(guard(value), valueName === guardName, `${guardName} of a ${valueName}`)
        }
        for (const stranger of strangers) assert.isFalse(guard(stranger), `${guardName} of ${String(stranger)}`)
      }
      yield* future.result
    })))
})
