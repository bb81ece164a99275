import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

// From the fifth review (each failed before the fix: a surplus idle worker, which retires at its
// next step, was counted as taking the next task).
// README (FiberPool, "Bounded submission"): "`maxPending: m` bounds the tasks waiting for a worker".
// README ("Resize"): "a shrink interrupts nothing — surplus workers retire after the task they run".
// `startsNow`/`boundedPending` count a worker idling between two tasks as one that takes the next
// task at its next step — but after a shrink that worker is surplus: at its next step it retires
// (`pool.active > pool.concurrency`) without taking the task. So the task admitted as "starting
// now" waits, past the bound.
describe("FiberPool shrink while a worker idles", () => {
  it.effect("maxPending 0, onFull fail: a submit admitted on a surplus idle worker waits behind the running task", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 0, onFull: "fail" })
      const gate = yield* Deferred.make<void>()
      const long = yield* pool.submit(Deferred.await(gate)) // worker A runs it
      yield* pool.submit(Effect.void) // worker B runs it at once, then idles one step
      yield* pool.resize(1) // B is surplus now: it retires at its next step
      const admitted = yield* Effect.exit(pool.submit(Effect.succeed("x")))
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      const pending = yield* pool.pending
      // a pool with maxPending 0 must never hold a submitted task waiting: either it is refused,
      // or it runs now
      assert.isFalse(
        Exit.isSuccess(admitted) && pending > 0,
        `a submit was accepted with maxPending 0 and now waits: pending = ${pending}`
      )
      yield* Deferred.succeed(gate, undefined)
      yield* long.result
      yield* pool.awaitIdle
    })))

  it.effect("maxPending 1, onFull dropOldest: after a shrink two submitted tasks wait", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 1, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const long = yield* pool.submit(Deferred.await(gate))
      yield* pool.submit(Effect.void) // its worker idles one step
      yield* pool.resize(1)
      const futures = []
      for (const name of ["x", "y", "z"]) futures.push(yield* pool.submit(Effect.succeed(name)))
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      const pending = yield* pool.pending
      assert.isAtMost(pending, 1, `maxPending 1, yet ${pending} submitted tasks wait for the one worker`)
      yield* Deferred.succeed(gate, undefined)
      yield* long.result
      for (const future of futures) yield* Effect.exit(future.result)
    })))

  it.effect("maxPending 0, onFull wait: a submit is let through by a surplus idle worker and then waits", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 0, onFull: "wait" })
      const gate = yield* Deferred.make<void>()
      const long = yield* pool.submit(Deferred.await(gate))
      yield* pool.submit(Effect.void)
      yield* pool.resize(1)
      // the submit must wait for room (the one worker is busy) rather than queue its task
      const submitter = yield* Effect.forkChild(pool.submit(Effect.void), { startImmediately: true })
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      const pending = yield* pool.pending
      assert.strictEqual(pending, 0, `maxPending 0 with onFull wait, yet ${pending} submitted task waits`)
      yield* Deferred.succeed(gate, undefined)
      yield* long.result
      yield* Effect.flatMap(Fiber.join(submitter), (future) => future.result)
      yield* pool.awaitIdle
    })))
})
