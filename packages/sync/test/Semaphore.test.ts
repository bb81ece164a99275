import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Gen, Leaks, TaskSet, TestTime } from "@fiberkit/testkit"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as BoundedSemaphore from "../src/BoundedSemaphore.js"
import type { InvalidOptions } from "../src/Errors.js"
import * as Semaphore from "../src/Semaphore.js"
import { isInterrupted, misuseMessage, yieldOnWake } from "./helpers.js"

const contract = (kind: string, make: (permits: number) => Effect.Effect<Semaphore.Semaphore, InvalidOptions>) =>
  describe(`${kind} (semaphore contract)`, () => {
    it.effect("lets at most `permits` in at once", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(3)
        const probe = yield* ConcurrencyProbe.make
        const fiber = yield* Effect.forkChild(
          Effect.forEach(Array.from({ length: 8 }, (_, i) => i), () =>
            semaphore.withPermits(1)(probe.track(Effect.sleep(100))), { concurrency: "unbounded" })
        )
        yield* TestClock.adjust(50)
        assert.strictEqual(yield* probe.current, 3)
        assert.strictEqual(yield* semaphore.available, 0)
        assert.strictEqual(yield* semaphore.waiting, 5)
        yield* TestClock.adjust(300)
        yield* Fiber.join(fiber)
        assert.strictEqual(yield* probe.peak, 3)
        assert.strictEqual(yield* semaphore.available, 3)
      }))

    it.effect("a large request at the head is never overtaken by smaller ones behind it", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(2)
        const order: Array<string> = []
        yield* semaphore.acquire(2)
        const big = yield* Effect.forkChild(semaphore.withPermits(2)(Effect.sync(() => order.push("big"))))
        yield* Leaks.settle
        const small = yield* Effect.forkChild(semaphore.withPermits(1)(Effect.sync(() => order.push("small"))))
        yield* Leaks.settle
        yield* semaphore.release(1)
        yield* Leaks.settle
        // one permit is free, but `small` waits behind `big`
        assert.deepStrictEqual(order, [])
        assert.strictEqual(yield* semaphore.available, 1)
        assert.isFalse(yield* semaphore.tryAcquire(1))
        yield* semaphore.release(1)
        yield* Fiber.joinAll([big, small])
        assert.deepStrictEqual(order, ["big", "small"])
      }))

    it.effect("a release hands permits straight to waiters: one wake-up each, no re-queueing", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(1)
        yield* semaphore.acquire()
        const waiters = yield* Effect.forEach([1, 2, 3], () => Effect.forkChild(semaphore.withPermits(1)(Effect.never)))
        yield* Leaks.settle
        assert.strictEqual(yield* semaphore.waiting, 3)
        yield* semaphore.release()
        // handed over before the waiter even ran: nothing free, one fewer waiting
        assert.strictEqual(yield* semaphore.available, 0)
        assert.strictEqual(yield* semaphore.waiting, 2)
        yield* Fiber.interruptAll(waiters)
        assert.strictEqual(yield* semaphore.available, 1)
        assert.strictEqual(yield* semaphore.waiting, 0)
      }))

    it.effect("a waiter interrupted after being handed permits passes them on", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(2)
        yield* semaphore.acquire(2)
        const first = yield* Effect.forkChild(semaphore.withPermits(2)(Effect.void))
        yield* Leaks.settle
        const second = yield* Effect.forkChild(semaphore.withPermits(1)(Effect.succeed("second")))
        yield* Leaks.settle
        yieldOnWake(first) // interrupted before it resumes
        yield* Effect.withFiber((self) =>
          Effect.andThen(semaphore.release(2), Effect.sync(() => first.interruptUnsafe(self.id)))
        )
        assert.isTrue(isInterrupted(yield* Fiber.await(first)))
        assert.strictEqual(yield* Fiber.join(second), "second")
        assert.strictEqual(yield* semaphore.available, 2)
      }))

    it.effect("acquire and release by hand, and tryAcquire", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(3)
        yield* semaphore.acquire(2)
        assert.strictEqual(yield* semaphore.available, 1)
        assert.isFalse(yield* semaphore.tryAcquire(2))
        assert.isTrue(yield* semaphore.tryAcquire())
        yield* semaphore.release(3)
        assert.strictEqual(yield* semaphore.available, 3)
        assert.strictEqual(semaphore.permits, 3)
      }))

    it.effect("withPermit holds one permit and gives it back however the effect ends", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(1)
        assert.strictEqual(
          yield* semaphore.withPermit(Effect.andThen(
            Effect.flatMap(semaphore.available, (n) => Effect.sync(() => assert.strictEqual(n, 0))),
            Effect.succeed("in")
          )),
          "in"
        )
        assert.deepStrictEqual(yield* Effect.exit(semaphore.withPermit(Effect.fail("boom"))), Exit.fail("boom"))
        assert.strictEqual(yield* semaphore.available, 1)
      }))

    it.effect("a zero-permit request never waits", () =>
      Effect.gen(function*() {
        const semaphore = yield* make(0)
        assert.strictEqual(yield* semaphore.withPermits(0)(Effect.succeed("ran")), "ran")
      }))

    it.effect("invalid sizes fail InvalidOptions naming the field and value; an impossible count in a call is a defect", () =>
      Effect.gen(function*() {
        const negative = yield* Effect.flip(make(-1))
        assert.strictEqual(negative.message, `${kind}.make: permits must be an integer ≥ 0, got -1`)
        assert.strictEqual((yield* Effect.flip(make(1.5)))._tag, "InvalidOptions")
        const semaphore = yield* make(2)
        assert.strictEqual(
          yield* misuseMessage(semaphore.acquire(-2)),
          `${kind}.acquire: permits must be an integer ≥ 0, got -2`
        )
        assert.include(yield* misuseMessage(semaphore.withPermits(0.5)(Effect.void)), `${kind}.withPermits`)
        assert.include(yield* misuseMessage(semaphore.release(Number.NaN)), `${kind}.release`)
        assert.include(yield* misuseMessage(semaphore.tryAcquire(-1)), `${kind}.tryAcquire`)
        assert.strictEqual(yield* semaphore.available, 2)
      }))

    it.effect.prop(
      "never more than N inside and no permit lost, whatever is interrupted",
      [TaskSet.arbitrary({ maxTasks: 15, maxDuration: 50 }), Gen.integer({ min: 1, max: 4 })],
      ([tasks, permits]) =>
        Effect.gen(function*() {
          const semaphore = yield* make(permits)
          const probe = yield* ConcurrencyProbe.make
          const exit = yield* Leaks.expectNoLeaks(
            TestTime.run(TaskSet.run(tasks, (task) => semaphore.withPermits(1)(probe.track(task)))),
            Effect.all([semaphore.available, semaphore.waiting])
          )
          assert.isTrue(Exit.isSuccess(exit))
          assert.isAtMost(yield* probe.peak, permits)
        }),
      { arbitrary: { runs: 40 } }
    )

    it.effect.prop(
      "requests of random sizes are served in arrival order",
      [Gen.array(Gen.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 10 })],
      ([sizes]) =>
        Effect.gen(function*() {
          const semaphore = yield* make(3)
          const order: Array<number> = []
          yield* semaphore.acquire(3)
          const fibers = yield* Effect.forEach(sizes, (n, i) =>
            Effect.forkChild(
              semaphore.withPermits(n)(Effect.andThen(Effect.sync(() => order.push(i)), Effect.sleep(10)))
            )
              .pipe(Effect.tap(Leaks.settle)))
          yield* semaphore.release(3)
          yield* TestTime.run(Fiber.joinAll(fibers))
          assert.deepStrictEqual(order, sizes.map((_, i) => i))
          assert.strictEqual(yield* semaphore.available, 3)
        }),
      { arbitrary: { runs: 30 } }
    )
  })

contract("Semaphore", Semaphore.make)
contract("BoundedSemaphore", BoundedSemaphore.make)

describe("Semaphore", () => {
  it.effect("release may add permits beyond the initial count, as in Python", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(1)
      yield* semaphore.release(2)
      assert.strictEqual(yield* semaphore.available, 3)
    }))
})

describe("BoundedSemaphore", () => {
  it.effect("releasing more than was acquired fails SemaphoreOverRelease and changes nothing", () =>
    Effect.gen(function*() {
      const semaphore = yield* BoundedSemaphore.make(2)
      yield* semaphore.acquire()
      const error = yield* Effect.flip(semaphore.release(2))
      assert.strictEqual(error._tag, "SemaphoreOverRelease")
      assert.strictEqual(
        error.message,
        "BoundedSemaphore.release: releasing 2 permit(s) while only 1 of 2 are held would exceed the initial count"
      )
      assert.strictEqual(yield* semaphore.available, 1)
      yield* semaphore.release()
      assert.strictEqual((yield* Effect.flip(semaphore.release()))._tag, "SemaphoreOverRelease")
      assert.strictEqual(yield* semaphore.available, 2)
    }))

  it.effect("a request larger than the bound fails at once instead of waiting for ever", () =>
    Effect.gen(function*() {
      const semaphore = yield* BoundedSemaphore.make(2)
      assert.strictEqual(
        yield* misuseMessage(semaphore.acquire(3)),
        "BoundedSemaphore.acquire: permits must be an integer from 0 to 2, got 3"
      )
    }))
})
