/**
 * From the third review (each test failed before the fix: a worker now serves on when it would
 * end below the max, and a call cancelled before it started is not counted):
 * `maxTasksPerWorker` and the take-backs other than a priority's.
 *
 * README, Steering a WorkerPool: "A worker retired by `maxTasksPerWorker` whose last call is
 * taken back before it starts serves again"; Options.maxTasksPerWorker: "Replace a worker after
 * it has run this many tasks". The second round's fix re-opens a retiring worker only in
 * `Workers.takeBackFor` (a call of higher priority takes the place). The other take-backs —
 * `rescue`/`steal` (an idle worker takes the calls held behind a long one), `reclaim` (a freed
 * worker takes a better call sent to a worker that has not started it) and `dropOldest` — lower
 * `HeldCalls.taken` too but leave the worker retiring: it ends after fewer tasks than the max.
 *
 * Each test keeps the `Thread` its call was sent to and checks, once that worker has had every
 * reply, that it has either not left, or left after `maxTasksPerWorker` tasks (`held.taken`: the
 * calls it was sent, less those taken back). The handshakes (`hold`, `stall`) make each one
 * deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as Future from "../src/Future.js"
import type { HeldCalls } from "../src/internal/workerHeld.js"
import type { Thread } from "../src/internal/workerPoolThread.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { eventually, tasks, within } from "./fixtures/steering.js"
import { hold, stall, whoAmI } from "./fixtures/tasks.js"

/** The calls of the worker a future's call was sent to, or undefined (in line, or settled). */
const holder = (future: Future.Future<unknown, unknown>): HeldCalls | undefined =>
  (future as unknown as CallJob).sent?.held

/** The worker thread whose calls are `held`. */
const threadOf = (pool: WorkerPool.WorkerPool<unknown>, held: HeldCalls | undefined): Thread => {
  const threads = (pool as unknown as { readonly workers: { readonly threads: Array<Thread | undefined> } }).workers
    .threads
  const thread = threads.find((thread) => thread !== undefined && thread.held === held)
  assert.isDefined(thread, "the worker holding the call")
  return thread!
}

/** Once `thread` has had every reply: it still serves, or it left after `max` tasks. */
const retiredAfterMax = (thread: Thread, max: number) =>
  Effect.gen(function*() {
    yield* eventually("every reply of the worker received", Effect.sync(() => thread.held.inFlight === 0))
    yield* Effect.sleep("50 millis")
    assert.isTrue(
      thread.state !== "stopped" || thread.held.taken === max,
      `the worker left (state ${thread.state}) after ${thread.held.taken} tasks, maxTasksPerWorker ${max}`
    )
  })

/** Runs `stall` on a worker and waits until that worker's thread is blocked, its reply received. */
const stalled = (pool: WorkerPool.WorkerPool<unknown>, gate: Int32Array) =>
  Effect.gen(function*() {
    const future = yield* pool.submit(stall(gate))
    yield* within("the stall reply", future.result)
    yield* within("the thread blocked", started(gate))
  })

describe("WorkerPool: maxTasksPerWorker after a take-back", { timeout: 60_000, concurrent: false }, () => {
  // Without priorities. T0 runs `hold(h1)` and is sent C behind it: its 2nd call, so it retires.
  // T1 frees: it takes C back (`rescue`, or `steal`) and runs it. T0 has run one task when its
  // `hold` ends; it is still retiring, and leaves: replaced after 1 task of 2.
  it.live("rescue/steal: a retiring worker whose last call an idle worker takes back is not retired early", () => {
    const [h1, h2] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxTasksPerWorker: 2 })
        const first = yield* pool.submit(hold(h1))
        yield* within("h1 started", started(h1))
        const second = yield* pool.submit(hold(h2))
        yield* within("h2 started", started(h2))
        const c = yield* pool.submit(whoAmI())
        yield* eventually("C sent", Effect.sync(() => holder(c) !== undefined))
        assert.strictEqual(holder(c), holder(first), "C is held behind h1")
        const t0 = threadOf(pool, holder(first))
        yield* Effect.sleep("10 millis") // C has waited long enough to be rescued
        yield* release(h2)
        const onT1 = yield* within("h2", second.result)
        const cOn = yield* within("C", c.result)
        assert.strictEqual(cOn.threadId, onT1, "C was taken back from T0 and ran on T1")
        yield* release(h1)
        yield* within("h1", first.result)
        yield* retiredAfterMax(t0, 2)
      }).pipe(Effect.ensuring(Effect.andThen(release(h1), release(h2))))
    )
  })

  // Priorities in play (`aging`). T1 (whoAmI, stall: 2 tasks) is sent P while its thread is
  // blocked: its 3rd, so it retires. T0 frees with nothing in line: it takes P back from T1
  // (`reclaim`) and runs it. T1 is still retiring; once released it replies SKIPPED and leaves:
  // replaced after 2 tasks of 3. (With a call of priority waiting in line, the next dispatch's
  // `takeBackFor` happens to re-open T1; with the line empty, nothing does.)
  it.live("reclaim: a retiring worker whose last call a freed worker takes back is not retired early", () => {
    const [h, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxTasksPerWorker: 3, aging: "1 second" })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        const who = yield* pool.submit(whoAmI()) // T1's 1st task
        yield* within("whoAmI", who.result)
        yield* stalled(pool, s) // T1's 2nd task; then its thread blocks
        const p = yield* pool.submit(whoAmI()) // T1's 3rd: it retires
        yield* eventually("P sent to the blocked worker", Effect.sync(() => holder(p) !== undefined))
        assert.notStrictEqual(holder(p), holder(long), "P went to the blocked worker")
        const t1 = threadOf(pool, holder(p))
        assert.strictEqual(t1.state, "retiring", "T1 was sent its 3rd call")
        yield* Effect.sleep("10 millis") // P held for over a millisecond: the freed worker may take it
        yield* release(h)
        const onT0 = yield* within("hold", long.result)
        const pOn = yield* within("P", p.result) // T1's thread is still blocked
        assert.strictEqual(pOn.threadId, onT0, "P was taken back from T1 and ran on T0")
        yield* release(s)
        yield* retiredAfterMax(t1, 3)
      }).pipe(Effect.ensuring(Effect.andThen(release(h), release(s))))
    )
  })

  // `maxPending: 1`, `dropOldest`, one worker with `maxTasksPerWorker: 2`. T0 runs `hold` and is
  // sent C behind it (its 2nd: it retires). D's submit drops C — taken back from T0, never run —
  // and D waits for T0. T0 ends after `hold`, 1 task of 2, and D runs on a new thread.
  it.live("dropOldest: a retiring worker whose last call is dropped is not retired early", () => {
    const h = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: tasks,
          concurrency: 1,
          maxTasksPerWorker: 2,
          maxPending: 1,
          onFull: "dropOldest"
        })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        const c = yield* pool.submit(whoAmI())
        yield* eventually("C sent behind hold", Effect.sync(() => holder(c) !== undefined))
        const t0 = threadOf(pool, holder(long))
        const d = yield* pool.submit(whoAmI())
        const dropped = yield* Effect.flip(c.result)
        assert.strictEqual(dropped._tag, "PendingLimitExceeded", "C was dropped")
        yield* release(h)
        const ranOn = yield* within("hold", long.result)
        const dOn = yield* within("D", d.result)
        assert.strictEqual(dOn.threadId, ranOn, "D runs on the worker that ran 1 task of 2")
        yield* retiredAfterMax(t0, 2)
      }).pipe(Effect.ensuring(release(h)))
    )
  })

  // The same promise ("Replace a worker after it has run this many tasks"), with a call cancelled
  // while it waits on the worker (the compare-and-swap skip): it never runs there, yet it still
  // counts towards the max (`HeldCalls.skip` keeps `taken`), so the worker is replaced after 1
  // task of 2 and D runs on a new thread.
  it.live("cancel: a call cancelled while held behind a retiring worker's long call does not count as run", () => {
    const h = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxTasksPerWorker: 2 })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        const c = yield* pool.submit(whoAmI())
        yield* eventually("C sent behind hold", Effect.sync(() => holder(c) !== undefined))
        const t0 = threadOf(pool, holder(long))
        assert.isTrue(yield* c.cancel, "C cancelled before it started")
        const d = yield* pool.submit(whoAmI())
        yield* release(h)
        const ranOn = yield* within("hold", long.result)
        const dOn = yield* within("D", d.result)
        assert.strictEqual(dOn.threadId, ranOn, "D runs on the worker that ran 1 task of 2")
        yield* retiredAfterMax(t0, 2)
      }).pipe(Effect.ensuring(release(h)))
    )
  })
})
