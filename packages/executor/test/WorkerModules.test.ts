/**
 * Regression tests (from a review; each failed before) for worker modules written the ways the
 * README suggests: run with `NodeRuntime.runMain` from `@effect/platform-node`'s root entry, and a
 * module that reuses tasks declared (and served) by another worker module.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { triple } from "./fixtures/composite.js"
import { negate } from "./fixtures/lateServe.js"
import { plus } from "./fixtures/runMain.js"
import { half } from "./fixtures/tasks.js"

const url = (name: string) => new URL(`./fixtures/${name}.js`, import.meta.url)

const show = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isSuccess(exit) ? JSON.stringify(exit.value) : Cause.pretty(exit.cause)

describe("worker modules", { timeout: 30_000, concurrent: false }, () => {
  // failed before: the bootstrap ran as a CommonJS eval script, whose globals (`__filename` is
  // "[worker eval]") every ES module saw, and @effect/platform-node threw on its `createRequire`
  it.live("a worker module that runs serve with NodeRuntime.runMain from @effect/platform-node starts and serves", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: url("runMain"), concurrency: 1 })
        return yield* pool.map([1, 2, 3], (n) => plus(n))
      })))
      assert.deepStrictEqual(exit, Exit.succeed([2, 3, 4]), show(exit))
    }))

  // failed before: the imported module's serve ran first and served alone; the module's own serve died
  it.live("a worker module that reuses another worker module's task serves its own tasks too", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: url("composite"), concurrency: 1 })
      const halved = yield* (yield* pool.submit(half(4))).await
      const tripled = yield* (yield* pool.submit(triple(2))).await
      assert.deepStrictEqual(halved, Exit.succeed(2))
      assert.deepStrictEqual(tripled, Exit.succeed(6), show(tripled))
    })))

  it.live("a worker module that runs serve after it has loaded serves", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: url("lateServe"), concurrency: 1 })
      assert.deepStrictEqual(yield* pool.map([1, 2], (n) => negate(n)), [-1, -2])
    })))
})
