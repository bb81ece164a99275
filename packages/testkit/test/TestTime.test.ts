import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Duration, Effect, Exit, Fiber, Semaphore } from "effect"
import * as TaskSet from "../src/TaskSet.js"
import * as TestTime from "../src/TestTime.js"

describe("TestTime", () => {
  it.effect("untilDone moves the clock from wake-up to wake-up until the fiber is done", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(
        Effect.gen(function*() {
          yield* Effect.sleep("3 seconds")
          yield* Effect.sleep("7 seconds")
          return "done"
        })
      )
      const exit = yield* TestTime.untilDone(fiber)
      assert.deepStrictEqual(exit, Exit.succeed("done"))
      assert.strictEqual(yield* Clock.currentTimeMillis, 10_000)
    }))

  // Regression test (failed before the fix): a property of the rate limiters failed now and then
  // because `run` moved the clock after a fixed 8 yields, while a turn handed on after several
  // drops in a row still had steps to run at the earlier time.
  it.effect("run moves the clock only once the fibers woken have run to their next suspension", () =>
    Effect.gen(function*() {
      const times = yield* TestTime.run(Effect.gen(function*() {
        const sleeper = yield* Effect.forkChild(Effect.sleep("1 millis"))
        // a chain of 40 steps, each one a fiber's turn: far longer than one round of yields
        const chain = yield* Effect.forkChild(Effect.gen(function*() {
          for (let i = 0; i < 40; i++) yield* Effect.yieldNow
          return yield* Clock.currentTimeMillis
        }))
        const end = yield* Fiber.join(chain)
        yield* Fiber.join(sleeper)
        return { end, last: yield* Clock.currentTimeMillis }
      }))
      assert.deepStrictEqual(times, { end: 0, last: 1 })
    }))

  it.effect("untilDone and run are dual: piped, they do the same", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(Effect.as(Effect.sleep("3 seconds"), "done"))
      assert.deepStrictEqual(yield* fiber.pipe(TestTime.untilDone({ limit: "1 minute" })), Exit.succeed("done"))
      assert.strictEqual(yield* Effect.as(Effect.sleep("2 seconds"), 7).pipe(TestTime.run()), 7)
      assert.strictEqual(yield* Clock.currentTimeMillis, 5_000)
      const stuck = yield* Effect.flip(Effect.never.pipe(TestTime.run({ limit: "1 second" })))
      assert.strictEqual(stuck._tag, "Deadlocked")
    }))

  it.effect("run returns the effect's own failure", () =>
    Effect.gen(function*() {
      const result = yield* Effect.flip(TestTime.run(Effect.andThen(Effect.sleep(5), Effect.fail("boom" as const))))
      assert.strictEqual(result, "boom")
    }))

  it.effect("a fiber woken by another fiber's sleep is not deadlocked", () =>
    Effect.gen(function*() {
      const signal = yield* Deferred.make<number>()
      yield* Effect.forkChild(Effect.andThen(Effect.sleep("1 minute"), Deferred.succeed(signal, 42)))
      assert.strictEqual(yield* TestTime.run(Deferred.await(signal)), 42)
    }))

  it.effect("reports two fibers locking in opposite orders as Deadlocked instead of hanging", () =>
    Effect.gen(function*() {
      const lockA = yield* Semaphore.make(1)
      const lockB = yield* Semaphore.make(1)
      const bothHoldOne = yield* Deferred.make<void>()
      const holding = yield* Semaphore.make(0)
      const transfer = (first: Semaphore.Semaphore, second: Semaphore.Semaphore) =>
        first.withPermits(1)(
          Effect.gen(function*() {
            yield* holding.release(1)
            yield* Deferred.await(bothHoldOne)
            yield* Effect.sleep(10)
            yield* second.withPermits(1)(Effect.void)
          })
        )
      const program = Effect.gen(function*() {
        const one = yield* Effect.forkChild(transfer(lockA, lockB))
        const two = yield* Effect.forkChild(transfer(lockB, lockA))
        yield* holding.take(2)
        yield* Deferred.succeed(bothHoldOne, undefined)
        yield* Fiber.joinAll([one, two])
      })
      const error = yield* Effect.flip(TestTime.run(program))
      assert.strictEqual(error._tag, "Deadlocked")
      assert.match(error.message, /suspended and nothing can wake it .* after 10 ms of virtual time\): a deadlock/)
    }))

  it.effect("fails with TimeLimitExceeded when the fiber outlives the limit", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TestTime.run(Effect.forever(Effect.sleep("1 minute")), { limit: "1 hour" }))
      assert.strictEqual(error._tag, "TimeLimitExceeded")
      assert.include(error.message, "after 3600000 ms of virtual time")
      assert.strictEqual(yield* Clock.currentTimeMillis, 3_600_000)
    }))

  it.effect("a fiber that ends exactly at the limit is done, not over it", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* TestTime.run(Effect.as(Effect.sleep("1 hour"), 1), { limit: "1 hour" }), 1)
    }))

  it("the documented default limit is one hour", () => {
    assert.strictEqual(Duration.toMillis(TestTime.defaults.limit), 3_600_000)
  })

  it.effect.prop(
    "a task set running side by side ends when its longest task does",
    [TaskSet.arbitrary({ interruptions: false })],
    ([tasks]) =>
      Effect.gen(function*() {
        const exits = yield* TestTime.run(TaskSet.run(tasks, (task) => task))
        assert.strictEqual(exits.length, tasks.length)
        assert.strictEqual(yield* Clock.currentTimeMillis, Math.max(...tasks.map((t) => t.duration)))
      }),
    { arbitrary: { runs: 50 } }
  )

  // Regressions (outside review of the Effect 4 port): a fiber not done after the settle rounds,
  // with no sleep pending, was called Deadlocked even while it was running — a long computation
  // (Effect yields every 2,048 ops) or a loop of yields — and a loop that never ends was too.
  it.effect("a long computation without sleeps is not Deadlocked: it completes", () =>
    Effect.gen(function*() {
      let n = 0
      const items = yield* TestTime.run(
        Effect.andThen(
          Effect.forEach(Array.from({ length: 100_000 }), () => Effect.sync(() => n++), { discard: true }),
          Effect.sync(() => n)
        )
      )
      assert.strictEqual(items, 100_000)
      const yielded = yield* TestTime.run(
        Effect.as(Effect.forEach(Array.from({ length: 5000 }), () => Effect.yieldNow, { discard: true }), 42)
      )
      assert.strictEqual(yielded, 42)
    }))

  it.effect("a loop of yields that never ends fails TimeLimitExceeded, not Deadlocked", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(TestTime.run(Effect.forever(Effect.yieldNow), { limit: "1 second" }))
      assert.strictEqual(error._tag, "TimeLimitExceeded")
    }), 30_000)
})
