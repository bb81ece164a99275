import { assert, describe, it } from "@effect/vitest"
import { Leaks, TestTime } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber } from "effect"
import * as Condition from "../src/Condition.js"
import * as Lock from "../src/Lock.js"
import * as ReentrantLock from "../src/ReentrantLock.js"
import { isInterrupted, yieldOnWake } from "./helpers.js"

/** A condition with two fibers waiting on it, `first` before `second`. */
const twoWaiters = Effect.gen(function*() {
  const condition = yield* Condition.make()
  const first = yield* Effect.forkChild(condition.withLock(condition.wait))
  yield* Leaks.settle
  const second = yield* Effect.forkChild(condition.withLock(Effect.as(condition.wait, "second woke")))
  yield* Leaks.settle
  return { condition, first, second }
})

describe("Condition", () => {
  it.effect("waiting or notifying without the lock fails NotOwner", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const waited = yield* Effect.flip(condition.wait)
      assert.strictEqual(waited._tag, "NotOwner")
      assert.match(waited.message, /^Condition\.wait: fiber #\d+ does not hold ReentrantLock#\d+ \(it is not held\)$/)
      assert.strictEqual((yield* Effect.flip(condition.notify()))._tag, "NotOwner")
      assert.strictEqual((yield* Effect.flip(condition.notifyAll))._tag, "NotOwner")
    }))

  it.effect("a consumer waits until a producer's item arrives", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const items: Array<number> = []
      const consumer = yield* Effect.forkChild(condition.withLock(
        Effect.andThen(condition.waitUntil(Effect.sync(() => items.length > 0)), Effect.sync(() => items.shift()))
      ))
      yield* Leaks.settle
      assert.strictEqual(yield* condition.waiting, 1)
      assert.isFalse(yield* condition.lock.isLocked) // wait let go of it
      yield* condition.withLock(Effect.andThen(Effect.sync(() => items.push(42)), condition.notify()))
      assert.strictEqual(yield* Fiber.join(consumer), 42)
      assert.isFalse(yield* condition.lock.isLocked)
    }))

  it.effect("notify(n) wakes n waiters in the order they began waiting; notifyAll wakes the rest", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make(yield* Lock.make())
      const woken: Array<number> = []
      const waiters = yield* Effect.forEach(
        [0, 1, 2, 3, 4],
        (i) =>
          Effect.forkChild(condition.withLock(Effect.andThen(condition.wait, Effect.sync(() => woken.push(i))))).pipe(
            Effect.tap(Leaks.settle)
          )
      )
      yield* condition.withLock(condition.notify())
      yield* Leaks.settle
      assert.deepStrictEqual(woken, [0])
      yield* condition.withLock(condition.notify(2))
      yield* Leaks.settle
      assert.deepStrictEqual(woken, [0, 1, 2])
      yield* condition.withLock(condition.notifyAll)
      yield* Fiber.joinAll(waiters)
      assert.deepStrictEqual(woken, [0, 1, 2, 3, 4])
    }))

  it.effect("wait lets go of every reentrant hold and takes them all back", () =>
    Effect.gen(function*() {
      const lock = yield* ReentrantLock.make()
      const condition = yield* Condition.make(lock)
      const waiter = yield* Effect.forkChild(Effect.gen(function*() {
        yield* lock.acquire
        yield* lock.acquire
        yield* condition.wait
        yield* lock.release
        const stillHeld = yield* lock.isLocked
        yield* lock.release
        return stillHeld
      }))
      yield* Leaks.settle
      assert.isFalse(yield* lock.isLocked)
      yield* condition.withLock(condition.notify())
      assert.isTrue(yield* Fiber.join(waiter))
      assert.isFalse(yield* lock.isLocked)
    }))

  it.effect("an interrupted waiter takes the lock back before failing, so its withLock stays balanced", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const waiter = yield* Effect.forkChild(condition.withLock(condition.wait))
      yield* Leaks.settle
      // hold the lock while interrupting: the waiter must wait for it before it can fail
      yield* condition.lock.acquire
      const interrupting = yield* Effect.forkChild(Fiber.interrupt(waiter))
      yield* Leaks.settle
      assert.isUndefined(interrupting.pollUnsafe())
      assert.strictEqual(yield* condition.waiting, 0)
      yield* condition.lock.release
      yield* Fiber.join(interrupting)
      assert.isTrue(isInterrupted(yield* Fiber.await(waiter)))
      assert.isFalse(yield* condition.lock.isLocked)
    }))

  it.effect("a notified waiter that is interrupted passes the notification on", () =>
    Effect.gen(function*() {
      const { condition, first, second } = yield* twoWaiters
      yieldOnWake(first) // interrupted before it resumes
      yield* Effect.withFiber((self) =>
        condition.withLock(Effect.andThen(condition.notify(), Effect.sync(() => first.interruptUnsafe(self.id))))
      )
      assert.isTrue(isInterrupted(yield* Fiber.await(first)))
      assert.strictEqual(yield* Fiber.join(second), "second woke")
    }))

  it.effect("without a notification a waiter waits for ever: the TestClock helper says so", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const error = yield* Effect.flip(TestTime.run(condition.withLock(condition.wait)))
      assert.strictEqual(error._tag, "Deadlocked")
    }))
})

describe("Condition (notifications are never lost)", () => {
  it.effect("a waiter interrupted while it takes the lock back after a notification passes it on", () =>
    Effect.gen(function*() {
      const { condition, first, second } = yield* twoWaiters
      yield* condition.withLock(Effect.gen(function*() {
        yield* condition.notify()
        yield* Leaks.settle // `first` is notified and now waits for the lock we hold
        yield* Effect.forkDetach(Fiber.interrupt(first))
        yield* Leaks.settle
      }))
      assert.isTrue(isInterrupted(yield* Fiber.await(first)))
      assert.strictEqual(yield* TestTime.run(Fiber.join(second)), "second woke")
      assert.strictEqual(yield* condition.waiting, 0)
    }))

  it.effect("a notified waiter in an uninterruptible region of an interrupted fiber uses its notification: no one else wakes", () =>
    Effect.gen(function*() {
      // e.g. a finalizer: the interrupt stays pending, the wait ends normally, the waiter acts on it
      const condition = yield* Condition.make()
      const woken: Array<string> = []
      const waiter = (name: string) =>
        condition.withLock(Effect.andThen(condition.wait, Effect.sync(() => woken.push(name))))
      const first = yield* Effect.forkChild(Effect.uninterruptible(waiter("first")))
      yield* Leaks.settle
      yield* Effect.forkDetach(Fiber.interrupt(first))
      const second = yield* Effect.forkChild(waiter("second"))
      yield* Leaks.settle
      yield* condition.withLock(condition.notify(1))
      yield* Leaks.settle
      assert.deepStrictEqual(woken, ["first"])
      assert.isTrue(isInterrupted(yield* Fiber.await(first))) // interrupted once its region ends
      assert.strictEqual(yield* condition.waiting, 1)
      yield* Fiber.interrupt(second)
    }))

  it.effect("notify(n) with n not an integer ≥ 0 is a defect naming the call, and wakes no one", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const fibers = yield* Effect.forEach([1, 2, 3], () => Effect.forkChild(condition.withLock(condition.wait)))
      yield* Leaks.settle
      for (const n of [1.5, -1, Number.NaN]) {
        const exit = yield* Effect.exit(condition.withLock(condition.notify(n)))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), String(n))
        assert.include(String(Exit.isFailure(exit) && Cause.squash(exit.cause)), `Condition.notify: n must be`)
      }
      assert.strictEqual(yield* condition.waiting, 3)
      yield* Fiber.interruptAll(fibers)
    }))
})
