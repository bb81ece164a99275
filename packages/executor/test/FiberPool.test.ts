import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Leaks, TestTime } from "@fiberkit/testkit"
import { Context, Deferred, Effect, Exit, Fiber, Option, Scheduler, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"

describe("FiberPool", () => {
  it.effect("runs at most concurrency tasks at once, starting them in submission order", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const probe = yield* ConcurrencyProbe.make
      const futures = yield* Effect.forEach(
        [1, 2, 3, 4, 5],
        (i) => pool.submit(probe.track(Effect.as(Effect.sleep(10), i), `t${i}`))
      )
      yield* TestClock.adjust(5)
      assert.strictEqual(yield* pool.running, 2)
      assert.strictEqual(yield* pool.pending, 3)
      yield* TestClock.adjust(100)
      assert.deepStrictEqual(yield* Effect.forEach(futures, (f) => f.result), [1, 2, 3, 4, 5])
      assert.deepStrictEqual(yield* probe.starts, ["t1", "t2", "t3", "t4", "t5"])
      assert.strictEqual(yield* probe.peak, 2)
    })))

  it.effect("a future fails with its task's own typed error", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const future = yield* pool.submit(Effect.fail("boom" as const))
      assert.strictEqual(yield* Effect.flip(future.result), "boom")
      const cause = yield* future.exception
      assert.isTrue(Option.isSome(cause))
      assert.isTrue(yield* future.isDone)
      const ok = yield* pool.submit(Effect.succeed(1))
      assert.isTrue(Option.isNone(yield* ok.exception))
    })))

  it.effect("cancel: a pending task never starts; a running one is interrupted; a done one stays done", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      let started = 0
      const long = yield* pool.submit(Effect.andThen(Effect.sync(() => started++), Effect.never))
      const queued = yield* pool.submit(Effect.sync(() => started++))
      yield* Leaks.settle
      assert.isTrue(yield* long.isRunning)
      assert.isTrue(yield* queued.cancel)
      assert.isTrue(yield* queued.isCancelled)
      assert.strictEqual((yield* Effect.flip(queued.result))._tag, "FutureCancelled")
      assert.isTrue(yield* long.cancel)
      assert.strictEqual((yield* Effect.flip(long.result)).message, "the future was cancelled")
      yield* Leaks.settle
      assert.strictEqual(started, 1)
      const done = yield* pool.submit(Effect.succeed("done"))
      assert.strictEqual(yield* done.result, "done")
      assert.isFalse(yield* done.cancel)
      assert.strictEqual(yield* pool.running, 0)
    })))

  it.effect("onDone runs when the future is done, or at once if it already is", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const seen: Array<string> = []
      const future = yield* pool.submit(Effect.as(Effect.sleep(10), "x"))
      yield* future.onDone((f) => Effect.map(f.result, (v) => void seen.push(`later ${v}`)))
      yield* TestClock.adjust(10)
      yield* future.await
      yield* future.onDone(() => Effect.sync(() => void seen.push("at once")))
      assert.deepStrictEqual(seen, ["later x", "at once"])
    })))

  it.effect("submit provides the caller's context to the task", () =>
    Effect.scoped(Effect.gen(function*() {
      class Greeting extends Context.Service<Greeting, string>()("Greeting") {}
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const future = yield* pool.submit(Greeting).pipe(Effect.provideService(Greeting, "hello"))
      assert.strictEqual(yield* future.result, "hello")
    })))

  it.effect("map returns results in input order with at most concurrency at once", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 3 })
      const probe = yield* ConcurrencyProbe.make
      const results = yield* TestTime.run(
        pool.map([50, 10, 40, 20, 30, 5], (ms, i) => probe.track(Effect.as(Effect.sleep(ms), `${i}:${ms}`)))
      )
      assert.deepStrictEqual(results, ["0:50", "1:10", "2:40", "3:20", "4:30", "5:5"])
      assert.strictEqual(yield* probe.peak, 3)
    })))

  it.effect("map fails with the first failure and interrupts the rest", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      let finished = 0
      const error = yield* Effect.flip(TestTime.run(pool.map([1, 2, 3, 4], (i) =>
        i === 2 ? Effect.fail(`item ${i}` as const) : Effect.andThen(
          Effect.sleep(100),
          Effect.sync(() => finished++)
        ))))
      assert.strictEqual(error, "item 2")
      assert.strictEqual(finished, 0)
      assert.strictEqual(yield* pool.running, 0)
    })))

  it.effect("mapStream keeps input order and bounds the work in flight", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const probe = yield* ConcurrencyProbe.make
      const out = yield* TestTime.run(Stream.runCollect(
        pool.mapStream(Stream.range(1, 6), (i) => probe.track(Effect.as(Effect.sleep(10 * (7 - i)), i * 10)))
      ))
      assert.deepStrictEqual(out, [10, 20, 30, 40, 50, 60])
      assert.strictEqual(yield* probe.peak, 2)
    })))

  it.effect("shutdown: later submits fail PoolShutDown; accepted tasks still run; cancelFutures cancels the pending", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const first = yield* pool.submit(Effect.as(Effect.sleep(10), 1))
      const second = yield* pool.submit(Effect.as(Effect.sleep(10), 2))
      const third = yield* pool.submit(Effect.as(Effect.sleep(10), 3))
      yield* Leaks.settle
      const stopping = yield* Effect.forkChild(pool.shutdown({ cancelFutures: true }))
      yield* Leaks.settle
      const refused = yield* Effect.flip(pool.submit(Effect.void))
      assert.deepStrictEqual([refused._tag, refused.message], [
        "PoolShutDown",
        "the pool is shut down: it accepts no new task"
      ])
      assert.strictEqual((yield* Effect.flip(pool.map([1], Effect.succeed)))._tag, "PoolShutDown")
      yield* TestClock.adjust(10)
      yield* Fiber.join(stopping)
      assert.strictEqual(yield* first.result, 1)
      assert.isTrue(yield* second.isCancelled)
      assert.isTrue(yield* third.isCancelled)
    })))

  it.effect("closing the scope waits for the accepted tasks", () =>
    Effect.gen(function*() {
      const done: Array<number> = []
      const run = Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2 })
        yield* Effect.forEach([1, 2, 3], (i) =>
          pool.submit(Effect.andThen(Effect.sleep(10), Effect.sync(() => done.push(i)))))
      }))
      yield* TestTime.run(run)
      assert.deepStrictEqual(done.sort(), [1, 2, 3])
    }))

  it.effect("concurrency below 1 fails InvalidOptions; the default is min(32, cpus + 4)", () =>
    Effect.scoped(Effect.gen(function*() {
      const error = yield* Effect.flip(FiberPool.make({ concurrency: 0 }))
      assert.strictEqual(error.message, "FiberPool.make: concurrency must be an integer ≥ 1, got 0")
      const pool = yield* FiberPool.make()
      assert.strictEqual(pool.concurrency, FiberPool.defaultConcurrency())
      assert.isAtMost(pool.concurrency, 32)
      assert.isAtLeast(pool.concurrency, 5)
      const exit = yield* Effect.exit(FiberPool.make({ concurrency: 2.5 }))
      assert.isTrue(Exit.isFailure(exit))
    })))
})

describe("FiberPool (review regressions)", () => {
  // The cancelling fiber yields every 16 ops: once, this left `cancel` waiting for ever on a
  // result that settled between its check and its registration.
  it.effect("a late cancel never interrupts the next task its worker runs, and returns", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const a = yield* pool.submit(Deferred.await(gate))
      const b = yield* pool.submit(Effect.as(Effect.sleep(20), "b ran"))
      yield* Leaks.settle
      yield* Effect.provideService(
        Effect.andThen(Deferred.succeed(gate, undefined), a.cancel),
        Scheduler.MaxOpsBeforeYield,
        16
      )
      yield* TestClock.adjust(20)
      assert.strictEqual(yield* b.result, "b ran")
      assert.strictEqual(yield* pool.running, 0)
    })))

  it.effect("a callback that dies neither stops the other callbacks nor hides the future from asCompleted", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      let ran = 0
      const future = yield* pool.submit(Effect.sleep(10))
      yield* future.onDone(() => Effect.die("bug in a callback"))
      yield* future.onDone(() => Effect.sync(() => ran++))
      const waited = yield* Effect.forkChild(Executor.wait([future]))
      yield* TestClock.adjust(10)
      assert.strictEqual((yield* Fiber.join(waited)).done.length, 1)
      assert.strictEqual(ran, 1)
      assert.strictEqual(yield* pool.pending, 0)
    })))

  it.effect("futures cancelled while pending are forgotten by the pool", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const long = yield* pool.submit(Effect.sleep(10))
      const queued = yield* Effect.forEach([1, 2, 3], () => pool.submit(Effect.void))
      yield* Effect.forEach(queued, (future) => future.cancel)
      assert.strictEqual(yield* pool.pending, 0)
      yield* TestClock.adjust(10)
      yield* long.result
      assert.strictEqual(yield* pool.running, 0)
    })))

  it.effect("a callback that waits does not keep the worker from its next task", () =>
    Effect.flatMap(Deferred.make<void>(), (leaveCallback) =>
      Effect.scoped(
        Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 1 })
          const go = yield* Deferred.make<void>()
          const inCallback = yield* Deferred.make<boolean>()
          const nextStarted = yield* Deferred.make<void>()
          const first = yield* pool.submit(Effect.as(Deferred.await(go), "first"))
          yield* first.onDone((future) =>
            Effect.gen(function*() {
              // the outcome is visible to the callback
              yield* Deferred.succeed(inCallback, (yield* future.isDone) && (yield* future.result) === "first")
              yield* Deferred.await(leaveCallback)
            })
          )
          const next = yield* pool.submit(Deferred.succeed(nextStarted, undefined))
          yield* Deferred.succeed(go, undefined)
          assert.isTrue(yield* Deferred.await(inCallback))
          yield* Leaks.settle
          assert.isTrue(yield* Deferred.isDone(nextStarted), "the next task waited for the callback")
          yield* Deferred.succeed(leaveCallback, undefined)
          yield* next.result
        }).pipe(
          // a worker that waits for the callback would hold up the scope's close and hide a failure
          Effect.ensuring(Deferred.succeed(leaveCallback, undefined))
        )
      )))

  // Each k interrupts the map before another op. `map` waited for its lanes with a concurrent
  // `Effect.forEach`, which in effect 3.22 waits for ever when it is interrupted before its first
  // child has run; and the observer that replaced it, removed from a lane while that lane settled,
  // made the settlement skip the `cancel` that was stopping the map.
  it.effect("a map interrupted at any op ends, and leaves the pool idle", () =>
    Effect.gen(function*() {
      const stuck: Array<number> = []
      const pad = Effect.forEach(Array.from({ length: 8 }), () => Effect.void, { discard: true })
      for (let k = 10; k <= 80; k++) {
        yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
          const pool = yield* FiberPool.make({ concurrency: 2 })
          const map = pool.map([0, 1, 2, 3, 4], () => Effect.never)
          // a daemon: a map stuck for good must not keep the test from reporting it
          const mapper = yield* Effect.forkDetach(
            Effect.provideService(Effect.andThen(pad, map), Scheduler.MaxOpsBeforeYield, k)
          )
          yield* Effect.yieldNow
          yield* Effect.forkDetach(Fiber.interrupt(mapper))
          yield* Effect.repeat(Effect.yieldNow, { times: 20 })
          if (mapper.pollUnsafe() === undefined || (yield* pool.running) + (yield* pool.pending) !== 0) stuck.push(k)
          // the scope ends failed: its close stops what a stuck map left running
          return yield* Effect.fail("end")
        })))
      }
      assert.deepStrictEqual(stuck, [])
    }))

  // Each k makes the pool's worker yield at another op; some land between settling the task and
  // retiring the worker, where `running` once counted the worker's task as still running.
  it.effect("running counts the tasks started and not finished, not the workers", () =>
    Effect.gen(function*() {
      const wrong: Array<number> = []
      for (let k = 10; k <= 60; k++) {
        yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* Effect.provideService(FiberPool.make({ concurrency: 1 }), Scheduler.MaxOpsBeforeYield, k)
          yield* (yield* pool.submit(Effect.void)).await
          if ((yield* pool.running) !== 0) wrong.push(k)
        }))
      }
      assert.deepStrictEqual(wrong, [])
    }))
})
