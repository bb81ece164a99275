import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

// From the seventh review (failed before the fix: a grow now checks the watchers).

// Seventh review. README (FiberPool, "Bounded submission"): "`"wait"` (the default) makes `submit`
// wait, interruptibly, for room"; README ("Resize"): "a grow starts pending tasks at once".
// A submitter waiting for room is woken only by `watchers.check()`. With `maxPending: 0` the line
// is empty while it waits (it waits for a free worker: `startsNow`), and a grow
// (`setConcurrency` → `dispatch`) starts no worker when the line is empty — and checks nothing.
// So after `resize(2)` a worker place is free, a later submit goes straight through, and the
// first submitter stays asleep until some unrelated task ends.
describe("FiberPool wakes a submitter waiting for room when the pool grows", () => {
  it.effect("maxPending 0, onFull wait: resize up frees a place, yet the waiting submit stays asleep", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 0, onFull: "wait" })
      const gate = yield* Deferred.make<void>()
      const long = yield* pool.submit(Deferred.await(gate)) // the one worker runs it
      const submitter = yield* Effect.forkChild(pool.submit(Effect.succeed("s")), { startImmediately: true })
      for (let i = 0; i < 3; i++) yield* Effect.yieldNow
      assert.isUndefined(submitter.pollUnsafe(), "full: 1 running of 1, so the submit waits for room")
      yield* pool.resize(2) // a second place: a task submitted now starts at once
      for (let i = 0; i < 5; i++) yield* Effect.yieldNow
      const woken = submitter.pollUnsafe() !== undefined
      const late = yield* pool.submit(Effect.succeed("late")) // let through at once (a worker is free)
      assert.strictEqual(yield* late.result, "late")
      assert.isTrue(
        woken,
        "resize(2) left a place free (a later submit went through), yet the first submit still waits for room"
      )
      yield* Deferred.succeed(gate, undefined)
      yield* long.result
      yield* Effect.flatMap(Fiber.join(submitter), (future) => future.result)
    })))
})
