/**
 * WorkerPool with priorities in play: what a take-back (a call sent to a worker and not started,
 * put back in line by a compare-and-swap on its cell) may and may not do. Regression tests (each
 * failed before its fix); the handshakes with the worker threads (`stall`, `hold`, shared-memory
 * cells) make each one deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import type * as Future from "../src/Future.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { acceptedCalls, eventually, logCells, logged, tasks, within } from "./fixtures/steering.js"
import { hold, log, stall, whoAmI } from "./fixtures/tasks.js"

/** The calls of the worker a future's call was sent to, or undefined (in line, or settled). */
const holder = (future: Future.Future<unknown, unknown>) => (future as unknown as CallJob).sent?.held

/** Runs `stall` on a worker and waits until that worker's thread is blocked, its reply received. */
const stalled = (pool: WorkerPool.WorkerPool<unknown>, gate: Int32Array) =>
  Effect.gen(function*() {
    const future = yield* pool.submit(stall(gate))
    yield* within("the stall reply", future.result)
    yield* within("the thread blocked", started(gate))
  })

describe("WorkerPool take-backs", { timeout: 60_000, concurrent: false }, () => {
  // README, Steering a WorkerPool: "a worker that frees starts the best-ranked of all the calls
  // not started". Here P (priority 5) was sent to a worker whose thread is busy outside any call
  // (its event loop blocked), and has not started: its cell is QUEUED. When the other worker
  // frees, it starts Q (priority 1) and leaves P where it is, although a take-back (the same CAS
  // `yieldTo` uses) would let it start P. Observed start order [Q, P]; expected [P, Q].
  it.live("a freed worker starts the best call not started, even one sent to a worker that has not started it", () => {
    const [h, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2 })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        yield* stalled(pool, s) // the other worker: idle for the pool, its thread blocked
        const order = logCells()
        const p = yield* pool.submit(log({ cells: order, tag: 5 }), { priority: 5 })
        yield* eventually("P sent to the blocked worker", Effect.sync(() => holder(p) !== undefined))
        const q = yield* pool.submit(log({ cells: order, tag: 1 }), { priority: 1 })
        yield* Effect.sleep("10 millis")
        assert.isUndefined(holder(q), "Q waits in line")
        yield* release(h) // the worker running `hold` frees
        yield* long.result
        // either worker may run P now; the blocked one runs nothing until released
        yield* Effect.raceFirst(Effect.asVoid(q.await), Effect.sleep("2 seconds"))
        yield* release(s)
        yield* within("P", p.result)
        yield* within("Q", q.result)
        assert.deepStrictEqual(logged(order), [5, 1], "the freed worker started Q while P had not started")
      }).pipe(Effect.ensuring(Effect.andThen(release(h), release(s))))
    )
  })

  // README, Bounded submission: "`maxPending: m` bounds the tasks from `submit` that wait: calls in
  // the pool's line or held by a worker behind its running call". A call of higher priority takes
  // back the call a worker holds and has not started (`yieldTo`): the taken-back call counted as
  // running, and now waits too. When that worker cannot take the newcomer at once (a surplus
  // worker after a shrink here; a retiring one with `maxTasksPerWorker` too), two tasks from
  // `submit` wait with `maxPending: 1`: the newcomer was admitted against a count that its own
  // arrival raised past the bound.
  it.live("maxPending: a call that takes back a held call from a surplus worker does not push pending past the bound", () => {
    const [h, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 1, onFull: "fail" })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        yield* stalled(pool, s)
        const order = logCells()
        const p = yield* pool.submit(log({ cells: order, tag: 1 }), { priority: 1 })
        yield* eventually("P sent to the blocked worker", Effect.sync(() => holder(p) !== undefined))
        assert.deepStrictEqual(yield* pool.pending, 0, "P counts as running")
        yield* pool.resize(1) // both workers hold a call: neither retires yet
        const b = yield* Effect.exit(pool.submit(log({ cells: order, tag: 9 }), { priority: 9 }))
        yield* Effect.sleep("20 millis") // the dispatch after the submit has run
        const pending = yield* pool.pending
        assert.isAtMost(pending, 1, `submit ${Exit.isSuccess(b) ? "accepted" : "refused"} B; ${pending} pending`)
        yield* release(h)
        yield* long.result
      }).pipe(Effect.ensuring(Effect.andThen(release(h), release(s))))
    )
  })
  // README: "`maxTasksPerWorker` replaces a worker after that many tasks"; `HeldCalls.takeBack`:
  // a call taken back "no longer counts towards `maxTasksPerWorker`". The worker is retired when
  // it is sent its last call (here its 3rd); a call of higher priority then takes that call back
  // (`yieldTo`) — the count goes back to 2 — but the worker stays retiring: it ends after 2
  // tasks, and the call that takes the place runs on a new thread.
  it.live("maxTasksPerWorker: a worker whose last call is taken back before it starts is not retired early", () => {
    const s = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxTasksPerWorker: 3 })
        const first = yield* (yield* pool.submit(whoAmI())).result // task 1
        yield* stalled(pool, s) // task 2: the thread then blocks outside any call
        const p = yield* pool.submit(whoAmI(), { priority: 1 }) // task 3: sent, not started
        yield* eventually("P sent to the blocked worker", Effect.sync(() => holder(p) !== undefined))
        const b = yield* pool.submit(whoAmI(), { priority: 9 }) // takes P's place
        yield* Effect.sleep("20 millis")
        assert.isUndefined(holder(p), "P was taken back")
        yield* release(s)
        const [onB, onP] = [yield* within("B", b.result), yield* within("P", p.result)]
        assert.strictEqual(
          onB.threadId,
          first.threadId,
          `the worker that took 2 tasks runs B as its 3rd (B ran on thread ${onB.threadId}, P on ${onP.threadId}, the first on ${first.threadId})`
        )
      }).pipe(Effect.ensuring(release(s)))
    )
  })
  // README, Priorities: "While priorities are in play — always with `aging`; strictly, while a call
  // of priority other than 0 waits — no call is sent ahead of a worker's replies". With aging, a
  // rank is `arrival − priority × aging`, arrivals counted from the ranking's first use: the first
  // arrival at priority 0 has rank 0 — which the pool reads as "no priority". A `map` that is the
  // pool's first arrival gives all its calls that rank: they are sent ahead, two per busy worker,
  // and the later one (2, sent behind the call that ends first) starts before the earlier one (1,
  // held behind the long call). Observed [2, 1]; expected [1, 2] (equal ranks in submission order).
  it.live("aging: a map that is the pool's first arrival is not sent ahead of the workers' replies", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, aging: "1 second" })
        const order = logCells()
        const calls = [hold(a), hold(b), log({ cells: order, tag: 1 }), log({ cells: order, tag: 2 })]
        const map = yield* Effect.forkChild(pool.map(calls, (call) => call))
        yield* within("a started", started(a))
        yield* within("b started", started(b))
        yield* eventually("the map's four calls accepted", Effect.sync(() => acceptedCalls(pool).length === 4))
        yield* Effect.sleep("10 millis")
        const held = acceptedCalls(pool).filter((call) => call.sent !== undefined).length
        yield* release(b)
        yield* Effect.sleep("200 millis")
        yield* release(a)
        yield* within("the map", Fiber.join(map))
        assert.deepStrictEqual(logged(order), [1, 2], `${held} calls were held by the two busy workers`)
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })
})
