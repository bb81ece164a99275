/**
 * From the fifth review (failed before the fix: the surplus idle worker was counted as a taker).
 * README, Steering a WorkerPool, Bounded submission: "`maxPending: m` bounds the tasks from
 * `submit` that wait: calls … and effects not started". Resize: "A shrink returns at once and
 * interrupts nothing … never more run than the new size once the surplus is gone".
 *
 * The main-thread FiberPool counts a worker idling between two effects as taking the next effect
 * at its next step (`startsNow`, `boundedPending`) — also when a shrink has made it surplus: then
 * it retires at that step without taking it, and the effect admitted as "starting now" waits
 * behind the running one, with `maxPending: 0`.
 *
 * Deterministic: synchronous steps on the main thread (no worker thread is involved past `make`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { tasks, within } from "./fixtures/steering.js"

describe("WorkerPool shrink while a main-thread worker idles", { timeout: 60_000 }, () => {
  it.live("maxPending 0, onFull fail: an effect admitted on a surplus idle main-thread worker waits", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 0, onFull: "fail" })
      const gate = yield* Deferred.make<void>()
      const long = yield* pool.submit(Deferred.await(gate)) // main-thread worker A runs it
      yield* pool.submit(Effect.void) // worker B runs it at once, then idles one step
      yield* pool.resize(1) // B is surplus: it retires at its next step
      const admitted = yield* Effect.exit(pool.submit(Effect.succeed("x")))
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      const pending = yield* pool.pending
      assert.isFalse(
        Exit.isSuccess(admitted) && pending > 0,
        `an effect was accepted with maxPending 0 and now waits: pending = ${pending}`
      )
      yield* Deferred.succeed(gate, undefined)
      yield* within("the long effect", long.result)
      yield* within("idle", pool.awaitIdle)
    })))
})
