/**
 * Review of the WorkerPool steering (branch workerpool-steering): `maxPending` with
 * `onFull: "dropOldest"` on idle workers.
 *
 * README, "Steering a WorkerPool": "A task an idle worker would take at once is never held or
 * refused by it, even with `maxPending: 0`" and `"dropOldest"`: "the oldest waiting task ends with
 * `PendingLimitExceeded`, `dropped: true`, never started". A call an idle worker takes at the next
 * dispatch is not waiting (`pending` does not count it), yet `"dropOldest"` drops it: it is still
 * in the pool's line until that dispatch.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { how } from "./fixtures/handshake.js"
import { logCells, logged, tasks } from "./fixtures/steering.js"
import { log } from "./fixtures/tasks.js"

describe("review: dropOldest on idle workers", { timeout: 60_000, concurrent: false }, () => {
  it.live("maxPending 0: a call the idle worker takes at once is not dropped by the next submit", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 0, onFull: "dropOldest" })
      const order = logCells()
      // in one step, on the idle worker: the first is taken at once, the second would wait
      const first = yield* pool.submit(log({ cells: order, tag: 1 }))
      assert.strictEqual(yield* pool.pending, 0, "the first call is not waiting")
      const second = yield* Effect.exit(pool.submit(log({ cells: order, tag: 2 })))
      const firstExit = yield* first.await
      if (Exit.isSuccess(second)) yield* Effect.exit(second.value.await)
      yield* pool.awaitIdle
      assert.deepStrictEqual(
        [how(firstExit), how(second), logged(order)],
        ["success", "PendingLimitExceeded", [1]],
        "the call the idle worker would take was dropped instead, and the newcomer ran"
      )
    })))

  it.live("maxPending 1: the call dropped is the one waiting, not the one the idle worker takes", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const order = logCells()
      const futures = []
      for (const tag of [1, 2, 3]) futures.push(yield* pool.submit(log({ cells: order, tag })))
      const exits = []
      for (const future of futures) exits.push(how(yield* future.await))
      // 1 starts at once on the idle worker, 2 waits, 3 comes to a full line: 2 is the oldest waiting
      assert.deepStrictEqual([exits, logged(order)], [["success", "PendingLimitExceeded", "success"], [1, 3]])
    })))
})
