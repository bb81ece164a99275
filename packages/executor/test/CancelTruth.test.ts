import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"
import { isInterrupted } from "./fixtures/handshake.js"

/**
 * A task that signals `started`, then runs until it is interrupted, and takes 100 ms to stop
 * (its interruption finalizer); `stopped` says whether it has.
 */
const slowToStop = Effect.gen(function*() {
  const started = yield* Deferred.make<void>()
  const state = { stopped: false }
  const task = Effect.andThen(Deferred.succeed(started, undefined), Effect.never).pipe(
    Effect.onInterrupt(() => Effect.andThen(Effect.sleep(100), Effect.sync(() => void (state.stopped = true))))
  )
  return { started, state, task }
})

// Each test here failed before its fix (found by an outside review of the package's promises).
describe("cancel, isDone and shutdown tell the truth", () => {
  // The second cancel of a running task answered true at once, while the task still ran its
  // finalizer: the first had marked it cancelled already.
  it.effect("every cancel of a running task returns once the task has stopped, the second one too", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const { started, state, task } = yield* slowToStop
      const future = yield* pool.submit(task)
      yield* Deferred.await(started)
      const first = yield* Effect.forkChild(future.cancel)
      const second = yield* Effect.forkChild(future.cancel)
      yield* TestClock.adjust(50)
      assert.isUndefined(second.pollUnsafe(), "the second cancel returned before the task stopped")
      // still stopping: running, not done, not cancelled yet
      assert.deepStrictEqual(
        [yield* future.isRunning, yield* future.isDone, yield* future.isCancelled, yield* pool.running],
        [true, false, false, 1]
      )
      yield* TestClock.adjust(50)
      assert.isTrue(yield* Fiber.join(second))
      assert.isTrue(yield* Fiber.join(first))
      assert.isTrue(state.stopped)
      assert.isTrue(yield* future.isCancelled)
    })))

  // The pool's abort cancels every task and waits; a task whose cancel someone else had begun
  // was taken as stopped, so the scope's close returned while it still ran.
  it.effect("a scope closed by interruption returns once every task has stopped, one being cancelled too", () =>
    Effect.gen(function*() {
      const { started, state, task } = yield* slowToStop
      const asked = yield* Deferred.make<void>()
      const owner = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 1 })
        const future = yield* pool.submit(task)
        yield* Deferred.await(started)
        yield* Effect.forkChild(future.cancel) // someone cancels it (a timeout elsewhere)
        yield* Effect.yieldNow
        yield* Deferred.succeed(asked, undefined)
        return yield* Effect.never
      })))
      yield* Deferred.await(asked)
      const closing = yield* Effect.forkChild(Fiber.interrupt(owner))
      yield* TestClock.adjust(50)
      assert.isUndefined(closing.pollUnsafe(), "the scope closed while its task still ran")
      yield* TestClock.adjust(50)
      yield* Fiber.join(closing)
      assert.isTrue(state.stopped)
    }))

  // A future whose cancel was in progress counted as done: `wait` put it in `done` with no
  // outcome to read.
  it.effect("Executor.wait puts in done only the futures that have ended", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const { started, task } = yield* slowToStop
      const slow = yield* pool.submit(task)
      yield* Deferred.await(started)
      const cancel = yield* Effect.forkChild(slow.cancel)
      yield* Effect.yieldNow
      const quick = yield* pool.submit(Effect.succeed(1))
      const { done, notDone } = yield* Executor.wait([slow, quick], { returnWhen: "FIRST_COMPLETED" })
      assert.deepStrictEqual([done, notDone], [[quick], [slow]])
      yield* TestClock.adjust(100)
      assert.isTrue(yield* Fiber.join(cancel))
      assert.deepStrictEqual(yield* Executor.wait([slow, quick]), { done: [slow, quick], notDone: [] })
    })))

  // The pending tasks were cancelled one after another, with waits in between (a cancelled
  // task's onDone callbacks): a worker freed meanwhile started the next "pending" task, which
  // the shutdown then interrupted.
  it.effect("shutdown({ cancelFutures: true }) never starts a task that was pending when it was called", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const running = yield* pool.submit(Effect.sleep(20))
      const pending = yield* pool.submit(Effect.void)
      yield* pending.onDone(() => Effect.sleep(100)) // a slow callback
      let started = false
      const last = yield* pool.submit(Effect.andThen(Effect.sync(() => void (started = true)), Effect.sleep(500)))
      const shutdown = yield* Effect.forkChild(pool.shutdown({ cancelFutures: true, wait: true }))
      yield* TestClock.adjust(1_000)
      yield* Fiber.join(shutdown)
      assert.isTrue(Exit.isSuccess(yield* running.await))
      assert.isTrue(yield* last.isCancelled)
      assert.isFalse(started)
    })))

  // A running map's items were pulled by lanes that were all running, so nothing was pending:
  // the shutdown cancelled nothing, and every item was started.
  it.effect("shutdown({ cancelFutures: true }) cancels the items of a running map that have not started", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const starts: Array<number> = []
      const mapper = yield* Effect.forkChild(
        pool.map(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => Effect.andThen(Effect.sync(() => starts.push(i)), Effect.sleep(20))
        )
      )
      yield* TestClock.adjust(5)
      const shutdown = yield* Effect.forkChild(pool.shutdown({ cancelFutures: true, wait: true }))
      yield* TestClock.adjust(100)
      yield* Fiber.join(shutdown)
      assert.strictEqual((yield* Effect.flip(Fiber.join(mapper)))._tag, "PoolShutDown")
      assert.deepStrictEqual(starts, [0, 1])
    })))

  // Every cancelled lane or item was read as "cancelled by the shutdown", on a pool still open.
  it.effect("map and mapStream on an open pool: an item that interrupts itself ends them interrupted, not PoolShutDown", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const f = (n: number) => n === 2 ? Effect.interrupt : Effect.succeed(n)
      const mapped = yield* Effect.exit(pool.map([1, 2, 3], f))
      const streamed = yield* Effect.exit(Stream.runCollect(pool.mapStream(Stream.make(1, 2, 3), f)))
      assert.isTrue(isInterrupted(mapped), String(mapped))
      assert.isTrue(isInterrupted(streamed), String(streamed))
      // the pool is open and serves the next submission
      assert.strictEqual(yield* (yield* pool.submit(Effect.succeed(4))).result, 4)
    })))
})
