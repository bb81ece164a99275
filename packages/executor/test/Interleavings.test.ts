/**
 * Futures and the FiberPool under the schedule explorer: fibers switched between any two ops, one
 * actor interrupted before a random op, cancels, shutdowns and scope closes racing submissions.
 * Every task runs at most once and never more than `concurrency` at once; every future ends once,
 * and what `cancel` answers agrees with how the future ended.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber, Ref, Stream } from "effect"
import * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"
import type * as Future from "../src/Future.js"
import type { FiberPoolImpl } from "../src/internal/fiberPool.js"
import { mapWindow } from "../src/internal/mapWindow.js"

const options = { schedules: 150, interrupts: true } as const

/** Counts the tasks inside and how often each has run. */
const tasks = () => {
  let inside = 0
  let peak = 0
  const runs = new Map<number, number>()
  return {
    get peak() {
      return peak
    },
    runs,
    task: (i: number) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          peak = Math.max(peak, ++inside)
          runs.set(i, (runs.get(i) ?? 0) + 1)
        }),
        () => Effect.as(Effect.yieldNow, i),
        () => Effect.sync(() => inside--)
      )
  }
}

/** How many observers and callbacks wait on `future`. */
const listeners = (future: Future.Future<unknown, unknown>): number =>
  (future as unknown as { readonly listeners: number }).listeners

const cancelled = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) && String(exit).includes("FutureCancelled")

describe("Interleavings: FiberPool", () => {
  it.effect("submit and cancel: each task runs at most once, never more than concurrency at once; cancel tells the truth", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2 })
        const work = tasks()
        const futures = yield* Effect.forEach([0, 1, 2, 3], (i) => pool.submit(work.task(i)))
        const cancels = yield* Effect.forEach([1, 3], (i) => Interleavings.fork(futures[i]!.cancel))
        const answers = yield* Effect.forEach(cancels, Fiber.await)
        const exits = yield* Effect.forEach(futures, (future) => future.await)
        assert.isAtMost(work.peak, 2)
        for (const count of work.runs.values()) assert.strictEqual(count, 1)
        answers.forEach((answer, k) => {
          const exit = exits[[1, 3][k]!]!
          // true: the future ended cancelled; false: it had finished before the cancel
          if (Exit.isSuccess(answer)) assert.strictEqual(answer.value, cancelled(exit), String(exit))
        })
        // a future that did not end cancelled ran its task
        exits.forEach((exit, i) => {
          if (!cancelled(exit)) assert.strictEqual(work.runs.get(i), 1)
        })
        assert.strictEqual(yield* pool.running, 0)
        assert.strictEqual(yield* pool.pending, 0)
      }),
      options
    ))

  it.effect("map: results in input order, each item once; an interrupted map leaves the pool idle", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2 })
        const work = tasks()
        const mapper = yield* Interleavings.fork(pool.map([0, 1, 2, 3, 4], (i) => work.task(i)))
        const exit = yield* Fiber.await(mapper)
        if (Exit.isSuccess(exit)) assert.deepStrictEqual(exit.value, [0, 1, 2, 3, 4])
        for (const count of work.runs.values()) assert.strictEqual(count, 1)
        assert.isAtMost(work.peak, 2)
        assert.strictEqual(yield* pool.running, 0)
      }),
      options
    ))

  it.effect("a shutdown racing submissions: a submission is refused PoolShutDown, or its task runs to its end", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 1 })
        const work = tasks()
        const submitters = yield* Effect.forEach(
          [0, 1, 2],
          (i) => Effect.forkChild(Effect.result(pool.submit(work.task(i))))
        )
        const closer = yield* Interleavings.fork(pool.shutdown({ wait: true }))
        const submitted = yield* Effect.forEach(submitters, (fiber) => Fiber.join(fiber))
        yield* Fiber.await(closer)
        for (const [i, result] of submitted.entries()) {
          if (result._tag === "Failure") assert.strictEqual(result.failure._tag, "PoolShutDown")
          else assert.deepStrictEqual(yield* result.success.await, Exit.succeed(i))
        }
      }),
      options
    ))

  it.effect("closing the pool's scope by interruption cancels what is pending and interrupts what runs", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const started = yield* Ref.make(0)
        const ready = yield* Deferred.make<ReadonlyArray<Future.Future<void>>>()
        const owner = yield* Effect.forkChild(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 1 })
          const futures = yield* Effect.forEach(
            [0, 1, 2],
            () => pool.submit(Effect.andThen(Ref.update(started, (n) => n + 1), Effect.never))
          )
          yield* Deferred.succeed(ready, futures)
          yield* Effect.never
        })))
        const futures = yield* Deferred.await(ready)
        yield* Fiber.interrupt(owner)
        assert.isAtMost(yield* Ref.get(started), 1)
        for (const future of futures) assert.isTrue(yield* future.isDone)
      }),
      { schedules: 100 }
    ))
})

describe("Interleavings: Executor.wait and asCompleted", () => {
  it.effect("leave no callback behind on a future that stays pending, however they end", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2 })
        const gate = yield* Deferred.make<void>()
        const pending = yield* pool.submit(Deferred.await(gate))
        const quick = yield* pool.submit(Effect.void)
        for (let i = 0; i < 20; i++) yield* Executor.wait([pending, quick], { returnWhen: "FIRST_COMPLETED" })
        yield* Stream.runDrain(Stream.take(Executor.asCompleted([pending, quick]), 1))
        const waiter = yield* Interleavings.fork(Executor.wait([pending], { returnWhen: "ALL_COMPLETED" }))
        yield* Fiber.interrupt(waiter)
        const listeners = (pending as unknown as { readonly listeners: number }).listeners
        assert.strictEqual(listeners, 0)
        yield* Deferred.succeed(gate, undefined)
      }),
      options
    ))
})

// `Effect.callback` runs its register function in one op and installs its canceller in a later one:
// an interruption that lands between them skips the canceller. What the register function had
// registered then stayed behind: an observer on the future, or, for a map, the tasks it started
// (found here in about one schedule in 300; the sweeps of Future.test.ts and
// WorkerPoolInterruption.test.ts reach that op every time).
describe("Interleavings: a wait interrupted at any op leaves nothing behind", () => {
  it.effect("future.result leaves no observer on a future that stays pending", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 1 })
        const gate = yield* Deferred.make<void>()
        const pending = yield* pool.submit(Deferred.await(gate))
        const waiter = yield* Interleavings.fork(pending.result)
        yield* Fiber.interrupt(waiter)
        assert.strictEqual(listeners(pending), 0)
        yield* Deferred.succeed(gate, undefined)
      }),
      options
    ))

  it.effect("an interrupted map (a window of futures, as WorkerPool's) has stopped every task it started", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = (yield* FiberPool.make({ concurrency: 2 })) as FiberPoolImpl
        const mapper = yield* Interleavings.fork(mapWindow([0, 1, 2, 3], () => Effect.never, {
          window: 2,
          start: (effect) => pool.submitNow(effect),
          closed: () => false,
          cancelled: () => false
        }))
        yield* Fiber.interrupt(mapper)
        assert.strictEqual(yield* pool.running, 0)
        assert.strictEqual(yield* pool.pending, 0)
      }),
      options
    ))

  // Found by the explorer in schedule 22 (pct) before the fix: the shutdown cancelled the pending
  // tasks one at a time, a worker started one in between, and the shutdown interrupted it.
  it.effect("shutdown({ cancelFutures: true }) cancels what is pending and interrupts nothing that started", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 1 })
        const started = [false, false, false, false]
        const futures = yield* Effect.forEach(
          [0, 1, 2, 3],
          (i) => pool.submit(Effect.andThen(Effect.sync(() => void (started[i] = true)), Effect.as(Effect.yieldNow, i)))
        )
        yield* Fiber.await(yield* Interleavings.fork(pool.shutdown({ cancelFutures: true, wait: true })))
        for (const [i, future] of futures.entries()) {
          const exit = yield* future.await
          if (started[i]) assert.deepStrictEqual(exit, Exit.succeed(i), `task ${i} started, then ended ${exit}`)
          else assert.isTrue(yield* future.isCancelled, `task ${i} never started, yet it was not cancelled`)
        }
      }),
      { schedules: 300 }
    ))
})
