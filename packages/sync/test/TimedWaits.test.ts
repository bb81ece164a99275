import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import type * as Duration from "effect/Duration"
import { TestClock } from "effect/testing"
import * as Condition from "../src/Condition.js"
import * as Event from "../src/Event.js"
import * as Lock from "../src/Lock.js"
import * as ReentrantLock from "../src/ReentrantLock.js"
import * as Semaphore from "../src/Semaphore.js"
import { misuseMessage } from "./helpers.js"

// Python's acquire(timeout=…) and Condition.wait(timeout): the wait stays in the calling fiber,
// so the boolean it returns always agrees with what the caller holds.
describe("timed waits", () => {
  it.effect("Lock.acquireFor: true at once when free, false after the time runs out, leaving no trace", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      assert.isTrue(yield* lock.acquireFor("1 second"))
      const other = yield* Effect.forkChild(lock.acquireFor("1 second"))
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* Fiber.join(other))
      yield* lock.release
      assert.isFalse(yield* lock.isLocked)
      assert.isTrue(yield* lock.tryAcquire)
    }))

  it.effect("Lock.acquireFor: true when the lock is released in time; the caller owns it", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      yield* Effect.forkChild(lock.withLock(Effect.sleep("500 millis")))
      yield* Leaks.settle
      const waiter = yield* Effect.forkChild(Effect.tap(lock.acquireFor("1 second"), lock.release))
      yield* TestClock.adjust("500 millis")
      assert.isTrue(yield* Fiber.join(waiter))
      assert.isFalse(yield* lock.isLocked)
    }))

  it.effect("a hand-off and an expiry at the same instant agree with what the caller holds", () =>
    Effect.gen(function*() {
      // the holder's release and the waiter's timer are due at the same instant; which one the
      // TestClock runs first depends on which sleep was registered first: try both
      for (const releaseFirst of [true, false]) {
        const lock = yield* Lock.make()
        const go = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(
          lock.withLock(Effect.andThen(Deferred.await(go), Effect.sleep("1 second")))
        )
        yield* Leaks.settle
        if (releaseFirst) yield* Deferred.succeed(go, undefined).pipe(Effect.tap(Leaks.settle))
        const waiter = yield* Effect.forkChild(
          Effect.flatMap(
            lock.acquireFor("1 second"),
            (taken) => taken ? Effect.as(lock.release, "took it and released it") : Effect.succeed("timed out")
          )
        )
        yield* Leaks.settle
        if (!releaseFirst) yield* Deferred.succeed(go, undefined).pipe(Effect.tap(Leaks.settle))
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(holder)
        assert.oneOf(yield* Fiber.join(waiter), ["took it and released it", "timed out"])
        assert.isFalse(yield* lock.isLocked, `releaseFirst: ${releaseFirst}`)
      }
    }))

  it.effect("ReentrantLock.acquireFor by the holder takes one more hold at once", () =>
    Effect.gen(function*() {
      const lock = yield* ReentrantLock.make()
      yield* lock.acquire
      assert.isTrue(yield* lock.acquireFor(0))
      yield* lock.release
      yield* lock.release
      assert.isFalse(yield* lock.isLocked)
    }))

  it.effect("Semaphore.acquireFor gives up after the time runs out and lets the next waiter through", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(2)
      yield* semaphore.acquire(1)
      const big = yield* Effect.forkChild(semaphore.acquireFor("1 second", 2))
      yield* Leaks.settle
      const small = yield* Effect.forkChild(semaphore.acquire(1))
      yield* Leaks.settle
      assert.isUndefined(small.pollUnsafe()) // FIFO: behind the big request
      yield* TestClock.adjust("1 second")
      assert.isFalse(yield* Fiber.join(big))
      yield* Fiber.join(small) // the big one left the line: the small one got its permit
      assert.strictEqual(yield* semaphore.available, 0)
      assert.include(yield* misuseMessage(semaphore.acquireFor("1 second", -1)), "Semaphore.acquireFor")
    }))

  it.effect("Condition.waitFor: false on timeout, true when notified, and the lock is held again either way", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const late = yield* Effect.forkChild(condition.withLock(
        Effect.zipWith(condition.waitFor("1 second"), condition.lock.isLocked, (notified, held) => [notified, held])
      ))
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(late), [false, true])
      assert.strictEqual(yield* condition.waiting, 0)
      const early = yield* Effect.forkChild(condition.withLock(condition.waitFor("1 second")))
      yield* TestClock.adjust("100 millis")
      yield* condition.withLock(condition.notify())
      assert.isTrue(yield* Fiber.join(early))
      assert.isFalse(yield* condition.lock.isLocked)
    }))

  it.effect("a timed wait run uninterruptibly still times out after its fiber is interrupted", () =>
    Effect.gen(function*() {
      // e.g. an acquireRelease's acquire: the interrupt stays pending while the wait goes on, and
      // must not stop the wait's own timer
      const semaphore = yield* Semaphore.make(0)
      const lock = yield* Lock.make()
      yield* lock.acquire
      const event = yield* Event.make
      const condition = yield* Condition.make()
      // each wait, and what ends it if its timer has not (so that a failing test still ends)
      const waits: ReadonlyArray<readonly [Effect.Effect<boolean, unknown>, Effect.Effect<unknown, unknown>]> = [
        [semaphore.acquireFor("1 second"), semaphore.release()],
        [lock.acquireFor("1 second"), lock.release],
        [event.waitFor("1 second"), event.set],
        [condition.withLock(condition.waitFor("1 second")), condition.withLock(condition.notify())]
      ]
      const ended: Array<boolean> = []
      for (const [wait, unblock] of waits) {
        const waiter = yield* Effect.forkChild(Effect.uninterruptible(wait))
        yield* Leaks.settle
        yield* Effect.forkDetach(Fiber.interrupt(waiter))
        yield* TestClock.adjust("1 second")
        ended.push(waiter.pollUnsafe() !== undefined) // it waited no longer than its duration
        if (waiter.pollUnsafe() === undefined) yield* unblock
        yield* Fiber.await(waiter)
      }
      assert.deepStrictEqual(ended, [true, true, true, true])
      assert.strictEqual(yield* semaphore.waiting, 0)
      assert.strictEqual(yield* event.waiting, 0)
      assert.strictEqual(yield* condition.waiting, 0)
    }))

  it.effect("a malformed duration is a defect naming the operation, before the caller joins any line", () =>
    Effect.gen(function*() {
      // well-typed, but Duration.fromInput rejects it
      const malformed: Duration.Input = `${1e-7} seconds`
      const semaphore = yield* Semaphore.make(1)
      yield* semaphore.acquire()
      const lock = yield* Lock.make()
      yield* lock.acquire
      const event = yield* Event.make
      const condition = yield* Condition.make()
      const calls: ReadonlyArray<readonly [string, Effect.Effect<boolean, unknown>]> = [
        ["Semaphore.acquireFor", semaphore.acquireFor(malformed)],
        ["Lock.acquireFor", lock.acquireFor(malformed)],
        ["Event.waitFor", event.waitFor(malformed)],
        ["Condition.waitFor", condition.withLock(condition.waitFor(malformed))]
      ]
      for (const [operation, call] of calls) {
        const exit = yield* Effect.exit(call)
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), operation)
        assert.include(String(Exit.isFailure(exit) && Cause.squash(exit.cause)), `${operation}: `)
        assert.include(String(Exit.isFailure(exit) && Cause.squash(exit.cause)), "1e-7 seconds")
      }
      // no ghost waiter took what came next
      assert.strictEqual(yield* semaphore.waiting, 0)
      yield* semaphore.release()
      assert.strictEqual(yield* semaphore.available, 1)
      yield* lock.release
      assert.isFalse(yield* lock.isLocked)
      assert.strictEqual(yield* event.waiting, 0)
      const waiter = yield* Effect.forkChild(condition.withLock(condition.waitFor("10 seconds")))
      yield* TestClock.adjust("1 second")
      yield* condition.withLock(condition.notify())
      assert.isTrue(yield* Fiber.join(waiter))
    }))

  it.effect("Effect.timeout(condition.wait) cannot work: the timed wait runs in a fiber without the lock", () =>
    Effect.gen(function*() {
      const condition = yield* Condition.make()
      const error = yield* Effect.flip(condition.withLock(Effect.timeout(condition.wait, "1 second")))
      assert.strictEqual(error._tag, "NotOwner")
    }))
})
