import { assert, describe, it } from "@effect/vitest"
import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import { Cause, Deferred, Effect, Exit } from "effect"
import * as FiberPool from "../src/FiberPool.js"

// From the sixth review (the tests failed before their fixes unless said otherwise): a task counted as "starting" (an idle worker takes it at its next step, so it is not
// pending: `starting()`, `boundedPending`, `oldestBounded`) is left unstarted when something
// happens before that step. The idle worker takes whichever job is first in line at that step,
// and retires instead if it is surplus by then.

const droppedBy = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof PendingLimitExceeded

describe("a task counted as starting by an idle worker", () => {
  // README ("Bounded submission"): `"dropOldest"` ends the oldest pending task with
  // `PendingLimitExceeded` (`dropped: true`, never started) and queues the new one.
  // README ("Priorities"): equal priorities in submission order.
  // j1 is skipped by `oldestBounded` as the job the idle worker takes next, so j2 is dropped —
  // then the newcomer j3 (priority 10) goes first in line and the idle worker takes it instead:
  // j1, the oldest, waits after all, and the younger j2 of the same priority was dropped in its place.
  it.effect("dropOldest with a priority newcomer: a younger task is dropped while the older one it was skipped for waits", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const order: Array<string> = []
      const task = (name: string) => Effect.sync(() => void order.push(name))
      yield* pool.submit(Effect.void) // the one worker runs it at once, then idles one step
      const j1 = yield* pool.submit(task("j1")) // counted as starting on the idle worker
      const j2 = yield* pool.submit(task("j2")) // pending: 1 of 1
      yield* pool.submit(task("j3"), { priority: 10 }) // full: drops the oldest pending
      const [e1, e2] = [yield* j1.await, yield* j2.await]
      yield* pool.awaitIdle
      // either j1 started before j3 (it was counted as starting), or j1 — the oldest waiting — was dropped
      assert.isFalse(
        droppedBy(e2) && !droppedBy(e1) && order.indexOf("j1") > order.indexOf("j3"),
        `j2 was dropped as the oldest pending task, yet j1 (older, same priority) then waited behind j3: ran ${
          JSON.stringify(order)
        }`
      )
    })))

  // From the sixth review, kept as the documented trade-off (README, Resize): a shrink made just
  // after a task was admitted on an idle worker makes that worker surplus; it retires without the
  // task, which waits behind the running one — past `maxPending` for a while, since the new size
  // wins over the bound (the task is neither dropped nor started beyond the size).
  it.effect("maxPending 0: a task admitted on an idle worker that a shrink makes surplus waits, and runs once a place frees", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 0, onFull: "fail" })
      const gate = yield* Deferred.make<void>()
      const long = yield* pool.submit(Deferred.await(gate)) // worker A runs it
      yield* pool.submit(Effect.void) // worker B runs it at once, then idles one step
      const x = yield* pool.submit(Effect.succeed("x")) // admitted: B takes it at its next step
      yield* pool.resize(1) // B is surplus now: at its next step it retires without taking x
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [1, 1], "never more running than the new size")
      yield* Deferred.succeed(gate, undefined)
      yield* long.result
      assert.strictEqual(yield* x.result, "x")
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [0, 0])
    })))
})
