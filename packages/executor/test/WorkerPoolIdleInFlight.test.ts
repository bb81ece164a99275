/**
 * From the fourth review (failed before its fix): a worker the pool counts as idle (`Workers.idle`: ready, holding no open call)
 * while `send` picks the least loaded worker by `inFlight`, which still counts the calls the
 * worker was sent and no longer holds (cancelled or taken back, their SKIPPED reply not in yet).
 *
 * README, Bounded submission: "`maxPending: m` bounds the tasks from `submit` that wait: calls in
 * the pool's line or held by a worker behind its running call … A task an idle worker would take
 * at once is never held or refused by it, even with `maxPending: 0`".
 *
 * T0 (slot 0) runs `hold`. T1 (slot 1) runs `stall`: its thread then blocks outside any call. X is
 * sent to T1 (the least loaded) and cancelled there before it starts: T1 holds no call, but its
 * `inFlight` is 1 until the SKIPPED reply. Y is submitted with `maxPending: 0`: admitted because
 * T1 counts as idle (`callStartsNow`), then `send` finds T0 and T1 both at `inFlight` 1 and sends Y
 * to T0, behind `hold`: a task from `submit` waits, `pending` is 1 with `maxPending: 0`.
 *
 * Deterministic: every step is a shared-memory handshake or a synchronous check.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as Future from "../src/Future.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { eventually, tasks, within } from "./fixtures/steering.js"
import { hold, stall, whoAmI } from "./fixtures/tasks.js"

const holder = (future: Future.Future<unknown, unknown>) => (future as unknown as CallJob).sent?.held

describe("WorkerPool: a worker idle for the count, loaded for send", { timeout: 60_000, concurrent: false }, () => {
  it.live("maxPending 0: a call admitted as starting at once is not held behind a running call", () => {
    const [h, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 0, onFull: "fail" })
        const long = yield* pool.submit(hold(h)) // slot 0
        yield* within("hold started", started(h))
        const st = yield* pool.submit(stall(s)) // slot 1
        yield* within("the stall reply", st.result)
        yield* within("the thread blocked", started(s))
        const x = yield* pool.submit(whoAmI())
        yield* eventually("X sent to the blocked worker", Effect.sync(() => holder(x) !== undefined))
        assert.notStrictEqual(holder(x), holder(long), "X went to the blocked worker")
        assert.isTrue(yield* x.cancel, "X cancelled before it started")
        const y = yield* pool.submit(whoAmI()) // admitted: a worker counts as idle
        yield* Effect.sleep("20 millis") // the dispatch after the submit has run
        const pending = yield* pool.pending
        const behindHold = holder(y) !== undefined && holder(y) === holder(long)
        assert.strictEqual(
          pending,
          0,
          `maxPending 0, yet ${pending} pending (Y ${behindHold ? "held behind hold" : "elsewhere"})`
        )
        yield* release(s)
        yield* release(h)
        yield* within("Y", y.result)
      }).pipe(Effect.ensuring(Effect.andThen(release(h), release(s))))
    )
  })
})
