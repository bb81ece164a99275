/**
 * From the fourth review (failed before its fix): `maxPending` when a main-thread effect goes to a fiber that is idle for a moment.
 *
 * README, Bounded submission: "`maxPending: m` bounds the tasks from `submit` that wait: calls in
 * the pool's line or held by a worker behind its running call, and effects not started — one
 * bound for both. A task an idle worker would take at once is never held or refused by it".
 *
 * The third review's fix counts the calls idle worker threads take at the next dispatch as not
 * waiting; the effects an idle main-thread fiber takes at its next step are still counted. After
 * an effect ends, its fiber looks once more for work after a yield (`startWorker`): an effect
 * submitted then waits in the FiberPool's line until that step, and counts as waiting. With the
 * only worker thread busy (`hold`), `maxPending: 1` and `onFull: "fail"`:
 *   1. E0 (an effect that ends at once) runs and ends inside its submit; its fiber is idle.
 *   2. E1 (an effect that waits for a latch) is queued: the idle fiber takes it at its next step.
 *   3. C (a call) would be the only task from `submit` that waits — it is refused, with
 *      `pending: 1`, E1 counted as waiting.
 * Once the fiber has taken E1, the same submission of C is accepted.
 *
 * Deterministic: steps 1–3 run in one synchronous run of the test's fiber.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, release, started } from "./fixtures/handshake.js"
import { tasks, within } from "./fixtures/steering.js"
import { hold, whoAmI } from "./fixtures/tasks.js"

describe("WorkerPool: maxPending and a main-thread fiber about to take an effect", {
  timeout: 60_000,
  concurrent: false
}, () => {
  it.live("an effect the idle fiber takes at its next step does not count against maxPending", () => {
    const h = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "fail" })
        const long = yield* pool.submit(hold(h)) // the only worker thread is busy
        yield* within("hold started", started(h))
        const latch = yield* Deferred.make<void>()
        yield* pool.submit(Effect.void) // E0: ends inside its submit; its fiber looks again after a yield
        const e1 = yield* pool.submit(Deferred.await(latch)) // E1: the idle fiber takes it at its next step
        const c = yield* Effect.exit(pool.submit(whoAmI())) // C: the only task from submit left waiting
        const runningAfter = yield* Effect.andThen(Effect.sleep("20 millis"), pool.running)
        yield* Deferred.succeed(latch, undefined)
        yield* within("E1", e1.result)
        yield* release(h)
        yield* within("hold", long.result)
        assert.isTrue(
          Exit.isSuccess(c),
          `C ${Exit.isSuccess(c) ? "accepted" : `refused (${how(c)}: ${String(c.cause)})`}; ` +
            `${runningAfter} running once E1 had started`
        )
        if (Exit.isSuccess(c)) yield* within("C", c.value.result)
      }).pipe(Effect.ensuring(release(h)))
    )
  })
})
