import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

// From the sixth review (failed before the fix: a retiring worker now checks the watchers) (FiberPool's counting of idle workers). README (FiberPool, "Bounded submission"):
// "`onFull`: `"wait"` (the default) makes `submit` wait, interruptibly, for room".
// A submitter waiting for room is woken by `watchers.check()` — but a worker that retires
// (`pool.active--` in fiberPoolWorker.ts) checks nothing. After a shrink, an idle worker that was
// surplus (so `takers()` = 0 and `startsNow` false) becomes a taker when a busy surplus worker
// retires, then finds no task and retires itself: `active` drops below `concurrency` with nothing
// pending — `startsNow` is true — and no one wakes the submitter. It waits until some unrelated
// task ends; if that task waits for the submitter, for ever.
describe("FiberPool wakes a submitter waiting for room when a worker retires", () => {
  it.effect("maxPending 0, onFull wait: after a shrink, a worker slot frees and the waiting submit stays asleep", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 3, maxPending: 0, onFull: "wait" })
      const gateA = yield* Deferred.make<void>()
      const gateB = yield* Deferred.make<void>()
      const a = yield* pool.submit(Deferred.await(gateA)) // worker 1, busy until the end
      // worker 2: its task ends one step after its gate opens (its worker then finds itself surplus)
      yield* pool.submit(Effect.andThen(Deferred.await(gateB), Effect.yieldNow))
      yield* Deferred.succeed(gateB, undefined) // worker 2 resumes, then yields once inside its task
      yield* pool.submit(Effect.void) // worker 3 runs it at once, then idles one step
      yield* pool.resize(2) // one surplus: worker 2 (busy) retires after its task, worker 3 (idle) then takes work
      // nothing pending, no free worker (3 active for 2 places): the submit waits for room
      const submitter = yield* Effect.forkChild(pool.submit(Effect.succeed("s")), { startImmediately: true })
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      // worker 2 retired after its task, worker 3 found nothing and retired: one worker runs, of 2
      const running = yield* pool.running
      const pending = yield* pool.pending
      const woken = submitter.pollUnsafe() !== undefined
      assert.deepStrictEqual([running, pending, pool.concurrency], [1, 0, 2])
      // a submit made now is let through at once (a worker is free): it overtakes the one asleep
      const late = yield* pool.submit(Effect.succeed("late"))
      assert.strictEqual(yield* late.result, "late")
      assert.isTrue(
        woken,
        "the pool has a free worker (1 running of 2, none pending; a later submit went through), yet the first submit still waits for room"
      )
      yield* Deferred.succeed(gateA, undefined)
      yield* a.result
      yield* Effect.flatMap(Fiber.join(submitter), (future) => future.result)
    })))
})
