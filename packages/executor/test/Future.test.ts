import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Fiber, Option, Scheduler, Stream } from "effect"
import * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"
import type * as Future from "../src/Future.js"
import { FutureImpl } from "../src/internal/future.js"

/** How many callbacks and observers are registered on `future`. */
const listeners = (future: Future.Future<unknown, unknown>): number => {
  assert.instanceOf(future, FutureImpl)
  return (future as FutureImpl<unknown, unknown>).listeners
}

describe("Future", () => {
  it.effect("wait and asCompleted leave no registration on a future that stays pending, however they end", () =>
    Effect.flatMap(Deferred.make<void>(), (gate) =>
      Effect.scoped(
        Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 2 })
          const slow = yield* pool.submit(Deferred.await(gate))
          const quick = yield* pool.submit(Effect.void)
          yield* quick.await
          // Python's `while pending: wait(pending, FIRST_COMPLETED)`, with one future that stays pending
          for (let i = 0; i < 1000; i++) {
            const { done } = yield* Executor.wait([slow, quick], { returnWhen: "FIRST_COMPLETED" })
            assert.deepStrictEqual(done, [quick])
          }
          assert.strictEqual(listeners(slow), 0)
          const first = yield* Stream.runCollect(Stream.take(Executor.asCompleted([slow, quick]), 1))
          assert.deepStrictEqual([...first], [quick])
          assert.strictEqual(listeners(slow), 0)
          // interrupted while it waits: registered while waiting, removed by the interruption
          const waiting = yield* Effect.forkChild(Executor.wait([slow]))
          yield* Leaks.settle
          assert.strictEqual(listeners(slow), 1)
          yield* Fiber.interrupt(waiting)
          assert.strictEqual(listeners(slow), 0)
          yield* Deferred.succeed(gate, undefined)
          yield* slow.result
        }).pipe(Effect.ensuring(Deferred.succeed(gate, undefined)))
      )))

  it.effect("a task that fails and whose finalizer is interrupted fails with its error, not as cancelled", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      // the task's cause: its failure, then the finalizer's interruption
      const future = yield* pool.submit(Effect.fail("boom" as const).pipe(Effect.ensuring(Effect.interrupt)))
      yield* future.await
      assert.isFalse(yield* future.isCancelled)
      const cause = yield* future.exception
      assert.isTrue(Option.isSome(cause))
      assert.deepStrictEqual(Cause.findErrorOption(Option.getOrThrow(cause)), Option.some("boom" as const))
      assert.strictEqual(yield* Effect.flip(future.result), "boom")
    })))

  // `map` waited for its lanes with one observer per lane, removed from every lane once the first
  // lane ended: removed from the lane whose settlement was calling it, it made that settlement skip
  // the next waiter (the `cancel` that was stopping the map): the map waited for ever.
  it.effect("an observer that stops observing while the future settles skips no other waiter", () =>
    Effect.gen(function*() {
      const future = new FutureImpl<number, never>(0)
      const seen: Array<string> = []
      const stop = future.observe(() => {
        seen.push("first")
        stop()
      })
      future.observe(() => seen.push("second"))
      const waiter = yield* Effect.forkChild(future.result)
      yield* Effect.yieldNow
      future.settleNow(Exit.succeed(1))
      assert.deepStrictEqual(seen, ["first", "second"])
      assert.deepStrictEqual(yield* Fiber.await(waiter), Exit.succeed(1))
    }))

  // `result` registered its observer in `Effect.callback`'s register function, whose canceller effect
  // 3.22 installs one op later: a waiter interrupted in between left its observer on the future
  // (a `while pending` loop of timed-out waits piled them up).
  it.effect("a result interrupted at any op leaves no observer on a future that stays pending", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const pending = yield* pool.submit(Deferred.await(gate))
      const pad = Effect.forEach(Array.from({ length: 8 }), () => Effect.void, { discard: true })
      const left: Array<number> = []
      for (let k = 10; k <= 80; k++) {
        const waiter = yield* Effect.forkChild(
          Effect.provideService(Effect.andThen(pad, pending.result), Scheduler.MaxOpsBeforeYield, k)
        )
        yield* Effect.yieldNow
        yield* Fiber.interrupt(waiter)
        if (listeners(pending) !== 0) left.push(k)
      }
      yield* Deferred.succeed(gate, undefined)
      assert.deepStrictEqual(left, [])
    })))

  // Each k makes the cancelling fiber yield at another op; one of them lands between marking the
  // future cancelled and settling it: that cancel, interrupted there, once left the future
  // cancelled for good but never settled (its waiters, and a pool's graceful close, waited for ever).
  // Effect 4 lets a fiber yield after any op (a budget of 1 included), so the sweep starts at 1:
  // the state check and the settlement in two ops (k = 1, 2) was the same bug again.
  it.effect("a cancel of a pending task interrupted at any op still settles the future", () =>
    Effect.gen(function*() {
      const stuck: Array<number> = []
      for (let k = 1; k <= 60; k++) {
        yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 1 })
          const gate = yield* Deferred.make<void>()
          yield* pool.submit(Deferred.await(gate))
          const pending = yield* pool.submit(Effect.void)
          const canceller = yield* Effect.forkChild(
            Effect.provideService(pending.cancel, Scheduler.MaxOpsBeforeYield, k)
          )
          yield* Effect.yieldNow
          yield* Fiber.interrupt(canceller)
          yield* Deferred.succeed(gate, undefined)
          const waiting = yield* Effect.forkChild(pending.await)
          yield* Leaks.settle
          if (waiting.pollUnsafe() === undefined) stuck.push(k)
          // the scope ends failed: its close does not wait for a future that never settles
          return yield* Effect.fail("end")
        })))
      }
      assert.deepStrictEqual(stuck, [])
    }))
})

describe("Future is an Effect; onDone can be undone", () => {
  it.effect("yield* future waits for its result: its value, its own error, or FutureCancelled", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const ok = yield* pool.submit(Effect.succeed(42))
      assert.strictEqual(yield* ok, 42)
      const failing = yield* pool.submit(Effect.fail("boom"))
      assert.strictEqual(yield* Effect.flip(failing), "boom")
      const gate = yield* Deferred.make<void>()
      const cancelled = yield* pool.submit(Deferred.await(gate))
      assert.isTrue(yield* cancelled.cancel)
      assert.strictEqual((yield* Effect.flip(cancelled))._tag, "FutureCancelled")
      // it composes as any Effect does
      assert.deepStrictEqual(yield* Effect.all([ok, ok]), [42, 42])
    })))

  it.effect("the effect onDone gives back removes that callback and no other; after the end it does nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const future = yield* pool.submit(Deferred.await(gate))
      const ran: Array<string> = []
      const note = (name: string) => () => Effect.sync(() => void ran.push(name))
      const stopFirst = yield* future.onDone(note("first"))
      yield* future.onDone(note("second"))
      assert.strictEqual(listeners(future), 2)
      yield* stopFirst
      yield* stopFirst // twice: still only that one
      assert.strictEqual(listeners(future), 1)
      yield* Deferred.succeed(gate, undefined)
      yield* future.await
      yield* Leaks.settle
      assert.deepStrictEqual(ran, ["second"])
      const late = yield* future.onDone(note("late")) // done already: runs at once
      assert.deepStrictEqual(ran, ["second", "late"])
      yield* late
    })))
})
