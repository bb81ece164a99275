import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import * as FiberPool from "../src/FiberPool.js"
import type * as Future from "../src/Future.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, isInterrupted, release, started } from "./fixtures/handshake.js"
import { hold, touch } from "./fixtures/tasks.js"

/**
 * An owner fiber: a scope with a 1-worker pool and three tasks of 10 ms each, that records which
 * tasks start; `end` is what the scope does once the first task runs (never end, or fail).
 */
const owner = <E>(end: Effect.Effect<never, E>) =>
  Effect.gen(function*() {
    const starts: Array<number> = []
    const running = yield* Deferred.make<void>()
    const submitted = yield* Deferred.make<ReadonlyArray<Future.Future<void>>>()
    const fiber = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const futures = yield* Effect.forEach([1, 2, 3], (i) =>
        pool.submit(Effect.gen(function*() {
          starts.push(i)
          yield* Deferred.succeed(running, undefined)
          yield* Effect.sleep(10)
        })))
      yield* Deferred.succeed(submitted, futures)
      yield* Deferred.await(running)
      return yield* end
    })))
    const futures = yield* Deferred.await(submitted)
    yield* Deferred.await(running)
    return { fiber, futures, starts }
  })

describe("FiberPool: closing the scope", () => {
  it.effect("by interruption cancels the pending tasks (never started) and interrupts the running one", () =>
    Effect.gen(function*() {
      const { fiber, futures, starts } = yield* owner(Effect.never)
      const closing = yield* Effect.forkChild(Effect.andThen(Fiber.interrupt(fiber), Fiber.await(fiber)))
      yield* TestClock.adjust(100) // time enough for all three, had they run one after another
      assert.isTrue(isInterrupted(yield* Fiber.join(closing)))
      assert.deepStrictEqual(starts, [1])
      assert.deepStrictEqual(yield* Effect.forEach(futures, (future) => future.isCancelled), [true, true, true])
    }))

  it.effect("by failure also cancels the pending tasks and interrupts the running one", () =>
    Effect.gen(function*() {
      const { fiber, futures, starts } = yield* owner(Effect.fail("boom" as const))
      yield* TestClock.adjust(100)
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail("boom" as const))
      assert.deepStrictEqual(starts, [1])
      assert.deepStrictEqual(yield* Effect.forEach(futures, (future) => future.isCancelled), [true, true, true])
    }))

  it.effect("by interruption does not wait for a task that waits for its owner to end", () =>
    Effect.gen(function*() {
      const ownerEnded = yield* Deferred.make<void>()
      const submitted = yield* Deferred.make<Future.Future<void>>()
      const fiber = yield* Effect.forkChild(
        Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 1 })
          yield* Deferred.succeed(submitted, yield* pool.submit(Deferred.await(ownerEnded)))
          return yield* Effect.never
        })).pipe(Effect.ensuring(Deferred.succeed(ownerEnded, undefined)))
      )
      yield* Effect.gen(function*() {
        const future = yield* Deferred.await(submitted)
        yield* Leaks.settle
        assert.isTrue(yield* future.isRunning)
        const closing = yield* Effect.forkChild(Fiber.interrupt(fiber))
        yield* Leaks.settle
        assert.isDefined(closing.pollUnsafe(), "the scope's close waits for the task, which waits for the owner")
        assert.isTrue(yield* future.isCancelled)
      }).pipe(
        // a deadlocked close would also hold up the end of this test (its forked fibers are
        // interrupted and awaited) and hide the failure: the owner's end is signalled here too
        Effect.ensuring(Deferred.succeed(ownerEnded, undefined))
      )
    }))
})

describe("WorkerPool: closing the scope", { timeout: 60_000, concurrent: false }, () => {
  it.live("by interruption cancels the waiting calls and stops the running one", () => {
    const handshake = cells() // released only at the end: the close must not wait for `hold`
    const proof = cells()
    return Effect.gen(function*() {
      const submitted = yield* Deferred.make<{
        readonly running: Future.Future<number, unknown>
        readonly waiting: ReadonlyArray<Future.Future<void, unknown>>
      }>()
      const fiber = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: new URL("./fixtures/tasks.js", import.meta.url), concurrency: 1 })
        const running = yield* pool.submit(hold(handshake))
        const waiting = yield* Effect.forEach([0, 1, 2], (index) => pool.submit(touch({ cells: proof, index })))
        yield* Deferred.succeed(submitted, { running, waiting })
        return yield* Effect.never
      })))
      const { running, waiting } = yield* Deferred.await(submitted)
      yield* started(handshake)
      // a bound on a failure, not a synchronisation: a close that waits for `hold` never returns
      const closed = yield* Effect.option(Effect.timeout(Fiber.interrupt(fiber), "20 seconds"))
      assert.isTrue(Option.isSome(closed), "the close waited for the running call")
      assert.strictEqual(how(yield* running.await), "FutureCancelled")
      assert.deepStrictEqual(
        yield* Effect.forEach(waiting, (future) => Effect.map(future.await, how)),
        ["FutureCancelled", "FutureCancelled", "FutureCancelled"]
      )
      assert.deepStrictEqual([...proof].slice(0, 3), [0, 0, 0])
    }).pipe(Effect.ensuring(release(handshake)))
  })
})
