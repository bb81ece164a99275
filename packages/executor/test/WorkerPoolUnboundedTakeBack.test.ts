/**
 * From the fourth review (both failed before the fix: P went back in line): a call that
 * `maxPending` does not bound took the place of one it bounds. Now it takes it only while the
 * bound has room for the call it would put back in line.
 *
 * README, Steering a WorkerPool: "A call that comes while another worker has just been sent a
 * lower one and not started it takes its place, in the same step as the `submit` — only from a
 * worker that is sent it instead …, so a take-back never makes more calls wait than
 * `maxPending`"; Bounded submission: "`maxPending: m` bounds the tasks from `submit` that wait …
 * `map`, `mapStream` and the calls an effect makes are not bounded".
 *
 * A call from `submit` is admitted against the bound, so the call it takes back and puts in line
 * was already counted. A call an effect makes is admitted against nothing: when it takes the place
 * of a call from `submit` (sent to a worker whose thread has not started it), that call waits in
 * line past the bound. Here, `maxPending: 0`: T0 runs `hold`; T1 runs `stall` (its thread then
 * blocks). P (from `submit`, priority 0) goes to T1, the idle worker, and is not started. An effect
 * submitted at priority 5 makes a call at priority 5: it takes P's place on T1, and P — a task from
 * `submit` — waits in line with `maxPending: 0` (`pending` 1).
 *
 * The same with a `map`'s calls (priority 0) and P submitted at priority −1.
 *
 * Deterministic: the handshakes (`hold`, `stall`) and synchronous checks.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import type * as Future from "../src/Future.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { eventually, tasks, within } from "./fixtures/steering.js"
import { hold, stall, whoAmI } from "./fixtures/tasks.js"

const holder = (future: Future.Future<unknown, unknown>) => (future as unknown as CallJob).sent?.held

describe("WorkerPool: an unbounded call takes a bounded call's place", { timeout: 60_000, concurrent: false }, () => {
  it.live("maxPending 0: a call an effect makes does not push a call from submit back into waiting", () => {
    const [h, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 0, onFull: "fail" })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        const st = yield* pool.submit(stall(s))
        yield* within("the stall reply", st.result)
        yield* within("the thread blocked", started(s))
        const p = yield* pool.submit(whoAmI()) // the idle worker (blocked) takes it: admitted
        yield* eventually("P sent to the blocked worker", Effect.sync(() => holder(p) !== undefined))
        assert.strictEqual(yield* pool.pending, 0, "P counts as running")
        const effect = yield* pool.submit(Effect.asVoid(whoAmI()), { priority: 5 }) // its call: priority 5
        yield* Effect.sleep("20 millis") // the dispatch after the effect's call has run
        // P keeps its place: the call that came waits instead (`maxPending` does not bound it)
        assert.deepStrictEqual(
          { pHeld: holder(p) !== undefined, pending: yield* pool.pending },
          { pHeld: true, pending: 1 },
          "P, from submit, went back in line to wait past maxPending 0"
        )
        yield* release(s)
        yield* release(h)
        yield* within("hold", long.result)
        yield* within("the effect", effect.result)
        yield* within("P", p.result)
      }).pipe(Effect.ensuring(Effect.andThen(release(h), release(s))))
    )
  })

  it.live("maxPending 0: a map's call does not push a call from submit back into waiting", () => {
    const [h, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 0, onFull: "fail" })
        const long = yield* pool.submit(hold(h))
        yield* within("hold started", started(h))
        const st = yield* pool.submit(stall(s))
        yield* within("the stall reply", st.result)
        yield* within("the thread blocked", started(s))
        const p = yield* pool.submit(whoAmI(), { priority: -1 }) // the idle worker (blocked) takes it
        yield* eventually("P sent to the blocked worker", Effect.sync(() => holder(p) !== undefined))
        assert.strictEqual(yield* pool.pending, 0, "P counts as running")
        const map = yield* Effect.forkChild(pool.map([1], () => whoAmI()), { startImmediately: true })
        yield* Effect.sleep("20 millis")
        // P keeps its place: the call that came waits instead (`maxPending` does not bound it)
        assert.deepStrictEqual(
          { pHeld: holder(p) !== undefined, pending: yield* pool.pending },
          { pHeld: true, pending: 1 },
          "P, from submit, went back in line to wait past maxPending 0"
        )
        yield* release(s)
        yield* release(h)
        yield* within("hold", long.result)
        yield* within("the map", Fiber.join(map))
        yield* within("P", p.result)
      }).pipe(Effect.ensuring(Effect.andThen(release(h), release(s))))
    )
  })
})
