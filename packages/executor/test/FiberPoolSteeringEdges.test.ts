import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as FiberPool from "../src/FiberPool.js"

describe("FiberPool steering", () => {
  // maxPending + onFull "wait" makes submit wait "for room", then queue/run the task (README "Bounded submission").
  it.live("maxPending 0 with onFull wait: a submit waiting while the only worker is busy runs once it is free", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 0, onFull: "wait" })
      const gate = yield* Deferred.make<void>()
      const first = yield* pool.submit(Deferred.await(gate))
      const waiting = yield* Effect.forkChild(pool.submit(Effect.succeed("second")))
      yield* Effect.sleep("10 millis")
      yield* Deferred.succeed(gate, undefined)
      yield* first.result
      const submitted = yield* Effect.timeoutOption(Fiber.join(waiting), "500 millis")
      // observed: the submit waits for `pendingCount < 0`, i.e. forever
      assert.isTrue(Option.isSome(submitted), "submit still waiting for room on an idle pool")
      if (Option.isSome(submitted)) assert.strictEqual(yield* submitted.value.result, "second")
    })))

  // maxPending 0 = "never wait": a task that a free worker can take at once is accepted.
  it.effect("maxPending 0 with onFull fail: a submit on a pool whose one task just ended is accepted", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 0, onFull: "fail" })
      const first = yield* pool.submit(Effect.succeed(1))
      assert.strictEqual(yield* first.result, 1)
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [0, 0])
      // observed: the worker that ran `first` is still counted active (idling before it retires),
      // so `canStartNow` is false and the submit fails PendingLimitExceeded on an idle pool
      const exit = yield* Effect.exit(pool.submit(Effect.succeed(2)))
      assert.isTrue(Exit.isSuccess(exit), `idle pool refused a task: ${String(exit)}`)
    })))

  // Promise (README): "`map` and `mapStream` keep at most `concurrency` tasks of their own and are not bounded";
  // map's type is `E | PoolShutDown` — it must never fail with PendingLimitExceeded.
  it.effect("dropOldest never drops a map lane: map succeeds", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const blocker = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      const mapped = yield* Effect.forkChild(pool.map([1, 2, 3], (n) => Effect.succeed(n * 10)))
      yield* Effect.yieldNow
      // a plain submit while the map's lane waits for the worker
      const task = yield* pool.submit(Effect.succeed("task"))
      yield* Deferred.succeed(gate, undefined)
      yield* blocker.result
      const exit = yield* Fiber.await(mapped)
      // observed: the map lane was the oldest pending "future": it is settled with PendingLimitExceeded
      assert.isTrue(Exit.isSuccess(exit), `map failed: ${String(exit)}`)
      if (Exit.isSuccess(exit)) assert.deepStrictEqual(exit.value, [10, 20, 30])
      yield* Effect.exit(task.result)
    })))

  // Same promise for mapStream: its type is `E1 | E | PoolShutDown`.
  it.effect("dropOldest never drops a mapStream task: the stream succeeds", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const blocker = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      const streamed = yield* Effect.forkChild(
        Stream.runCollect(pool.mapStream(Stream.make(1, 2), (n) => Effect.succeed(n * 10)))
      )
      yield* Effect.yieldNow
      const task = yield* pool.submit(Effect.succeed("task"))
      yield* Deferred.succeed(gate, undefined)
      yield* blocker.result
      const exit = yield* Fiber.await(streamed)
      assert.isTrue(Exit.isSuccess(exit), `mapStream failed: ${String(exit)}`)
      yield* Effect.exit(task.result)
    })))

  // map is "not bounded" by maxPending — so its lanes must not use up the submit bound either.
  it.effect("a map waiting for the worker does not make a plain submit fail with onFull fail", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "fail" })
      const gate = yield* Deferred.make<void>()
      const blocker = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      const mapped = yield* Effect.forkChild(pool.map([1], (n) => Effect.succeed(n)))
      yield* Effect.yieldNow
      // no submitted task is pending: the bound of 1 has room for this one
      const exit = yield* Effect.exit(pool.submit(Effect.void))
      assert.isTrue(Exit.isSuccess(exit), `submit refused: ${String(exit)}`)
      yield* Deferred.succeed(gate, undefined)
      yield* blocker.result
      yield* Fiber.await(mapped)
    })))

  // "higher first" — `map` lanes run at priority 0, so with aging a priority-100 task queued
  // earlier must start before a map item queued later.
  it.effect("with aging, a map lane does not jump ahead of an earlier high-priority task (clock not at 0)", () =>
    Effect.scoped(Effect.gen(function*() {
      yield* TestClock.adjust("1 hour") // any real clock reads far from 0
      const pool = yield* FiberPool.make({ concurrency: 1, aging: "1 second" })
      const order: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const blocker = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      const urgent = yield* pool.submit(Effect.sync(() => void order.push("urgent, priority 100")), {
        priority: 100
      })
      const mapped = yield* Effect.forkChild(pool.map(["map item"], (s) => Effect.sync(() => void order.push(s))))
      yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      yield* blocker.result
      yield* urgent.result
      yield* Fiber.join(mapped)
      // observed: map lanes are queued with rank 0 while aged tasks rank `now − p × aging` ≈ 3.6e6 − 1e5
      assert.deepStrictEqual(order, ["urgent, priority 100", "map item"])
    })))
  // awaitSizeBelow(n) "waits until fewer than `n` submitted tasks are pending". A dropOldest
  // submit replaces one pending task with another: the count never goes below n, so no waiter may wake.
  it.effect("dropOldest: a replacement does not wake awaitSizeBelow while the line stays full", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 2, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const blocker = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      yield* pool.submit(Effect.void)
      yield* pool.submit(Effect.void)
      const below = yield* Effect.forkChild(Effect.andThen(pool.awaitSizeBelow(2), pool.pending))
      yield* Effect.yieldNow
      assert.isUndefined(below.pollUnsafe())
      yield* pool.submit(Effect.void) // drops the oldest pending, queues itself: still 2 pending
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      const seen = below.pollUnsafe()
      // observed: awaitSizeBelow(2) returned, and the pending count it then reads is 2
      assert.isUndefined(
        seen,
        `awaitSizeBelow(2) returned with pending = ${seen && Exit.isSuccess(seen) ? seen.value : "?"}`
      )
      yield* Deferred.succeed(gate, undefined)
      yield* blocker.result
      yield* Fiber.join(below)
    })))
  // awaitSizeBelow(n) "waits until fewer than `n` submitted tasks are pending" — NaN is bad input
  // that should be a defect, not a wait that can never end (also on an idle pool).
  it.live("awaitSizeBelow(NaN) on an idle pool does not hang silently", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const exit = yield* Effect.timeoutOption(Effect.exit(pool.awaitSizeBelow(Number.NaN)), "200 millis")
      assert.isTrue(Option.isSome(exit) && Exit.hasDies(exit.value), "awaitSizeBelow(NaN) waits forever")
    })))

  // From the fourth review (failed before the fix: the third submit was refused, "1 pending, the
  // bound is 1"): the effect an idle worker takes at its next step is not waiting.
  it.effect("maxPending 1 with onFull fail: an effect the idle worker takes at its next step leaves room for one more", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "fail" })
      const gate = yield* Deferred.make<void>()
      yield* pool.submit(Effect.void) // runs and ends in its own submit: its worker idles one step
      const held = yield* pool.submit(Deferred.await(gate)) // the idle worker takes it next
      const third = yield* Effect.exit(pool.submit(Effect.succeed(3)))
      assert.isTrue(Exit.isSuccess(third), "the third submit was refused")
      yield* Deferred.succeed(gate, undefined)
      yield* held.result
      if (Exit.isSuccess(third)) assert.strictEqual(yield* third.value.result, 3)
    })))

  // JSDoc: awaitSizeBelow takes "an integer ≥ 1". Regression test (failed before): 2 ** 53 — a
  // natural "no bound" — died as if it were not one, as it did for the local rate limiters.
  it.effect("awaitSizeBelow takes any integer ≥ 1 (2 ** 53 returns at once); 0 and 1.5 are defects", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      yield* pool.awaitSizeBelow(2 ** 53)
      for (const bad of [0, 1.5, Number.POSITIVE_INFINITY]) {
        const exit = yield* Effect.exit(pool.awaitSizeBelow(bad))
        assert.isTrue(Exit.isFailure(exit) && exit.cause.reasons.some((reason) => reason._tag === "Die"), String(bad))
      }
    })))
})
