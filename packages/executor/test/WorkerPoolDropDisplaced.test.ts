import { assert, describe, it } from "@effect/vitest"
import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import { Cause, Effect, Exit } from "effect"

// From the seventh review (failed before the fix in most runs — it races a real worker thread:
// a newcomer call of higher priority now counts the call it takes back from an idle worker as
// waiting, so that older call, not a younger one, is the one dropped).
import * as WorkerPool from "../src/WorkerPool.js"
import { logCells, logged, tasks } from "./fixtures/steering.js"
import { half, log } from "./fixtures/tasks.js"

// Seventh review. README ("Bounded submission", shared by WorkerPool): `"dropOldest"` ends the
// oldest pending task with `PendingLimitExceeded` (`dropped: true`, never started) and queues the
// new one; ("Priorities"): equal priorities in submission order.
// The sixth review's fix (`oldestBounded(newcomer)`: the task an idle worker was about to take
// counts as waiting when a better newcomer displaces it) is applied to effects only: WorkerPool
// passes no newcomer rank for a call. For calls, `dropOldest` first sends the line to the idle
// worker (`dispatchNow`), so the call it sends (x) is skipped as "running" — then the newcomer of
// higher priority, pushed in the same step, takes x back (`takeBackFor` → `yieldTo`: x has not
// started, its worker thread has not marked its cell yet). x, the oldest, waits after all, and
// the younger y of the same priority was dropped in its place.
const droppedBy = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof PendingLimitExceeded

describe("WorkerPool dropOldest with a priority newcomer call", { timeout: 60_000 }, () => {
  it.live("a younger call is dropped while the older one it was skipped for waits behind the newcomer", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      yield* (yield* pool.submit(half(2))).result // the one worker is ready and idle
      const outcomes: Array<string> = []
      for (let round = 0; round < 20; round++) {
        const order = logCells()
        // one synchronous run: x is in line for the idle worker (not pending), y pends (1 of 1)
        const x = yield* pool.submit(log({ cells: order, tag: 1 }))
        const y = yield* pool.submit(log({ cells: order, tag: 2 }))
        const n = yield* pool.submit(log({ cells: order, tag: 3 }), { priority: 10 }) // full: drops one
        const [ex, ey] = [yield* Effect.exit(x.result), yield* Effect.exit(y.result)]
        yield* Effect.exit(n.result)
        const ran = logged(order)
        const bad = droppedBy(ey) && !droppedBy(ex) && ran.indexOf(1) > ran.indexOf(3)
        outcomes.push(
          `${bad ? "BAD" : "ok"}: x ${droppedBy(ex) ? "dropped" : "ran"}, y ${droppedBy(ey) ? "dropped" : "ran"}, ran ${
            ran.join(",")
          }`
        )
      }
      assert.deepStrictEqual(
        outcomes.filter((o) => o.startsWith("BAD")),
        [],
        `y was dropped as the oldest pending call, yet x (older, same priority) then waited behind the newcomer: ${
          JSON.stringify(outcomes)
        }`
      )
    })))
})
