// Hand-offs on Effect's default scheduler, where a woken waiter resumes in a microtask
// (internal/wake.ts): what was granted and then interrupted before the fiber resumed goes back,
// and the event loop keeps its turn (an independent review's reproductions, all of which held).
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as Condition from "../src/Condition.js"
import * as Lock from "../src/Lock.js"
import * as ReadWriteLock from "../src/ReadWriteLock.js"
import * as Semaphore from "../src/Semaphore.js"

describe("granted, then interrupted before the microtask resumes it", () => {
  it.live("Lock: no leak when the new owner is interrupted in the releaser's step", () =>
    Effect.gen(function*() {
      for (let round = 0; round < 50; round++) {
        const lock = yield* Lock.make()
        let entered = 0
        yield* lock.acquire
        const w1 = yield* Effect.forkChild(lock.withLock(Effect.sync(() => void entered++)))
        const w2 = yield* Effect.forkChild(lock.withLock(Effect.sync(() => void entered++)))
        yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
        // release hands the lock to w1; w1 is interrupted before its microtask runs
        yield* lock.release
        yield* Fiber.interrupt(w1)
        yield* Fiber.join(w2)
        assert.strictEqual(entered, 1)
        assert.isFalse(yield* lock.isLocked)
      }
    }))

  it.live("Semaphore(3): a 2-permit waiter interrupted after the grant gives both back", () =>
    Effect.gen(function*() {
      const sem = yield* Semaphore.make(3)
      yield* sem.acquire(3)
      const w = yield* Effect.forkChild(sem.withPermits(2)(Effect.void))
      const w1 = yield* Effect.forkChild(sem.withPermits(1)(Effect.void))
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      yield* sem.release(3)
      yield* Fiber.interrupt(w)
      yield* Fiber.join(w1)
      assert.strictEqual(yield* sem.available, 3)
      assert.strictEqual(yield* sem.waiting, 0)
    }))

  it.live("ReadWriteLock: readers granted together, one interrupted before resuming; a writer still gets in", () =>
    Effect.gen(function*() {
      const rw = yield* ReadWriteLock.make()
      const gate = yield* Deferred.make<void>()
      const writer = yield* Effect.forkChild(rw.withWrite(Deferred.await(gate)))
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      const readers = []
      for (let i = 0; i < 3; i++) readers.push(yield* Effect.forkChild(rw.withRead(Effect.void)))
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      // open the gate: the writer's release runs inline in this step and grants the readers
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.interrupt(readers[1]!)
      yield* Fiber.join(writer)
      yield* Fiber.join(readers[0]!)
      yield* Fiber.join(readers[2]!)
      const got = yield* rw.withWrite(Effect.succeed("writer in")).pipe(Effect.timeout("1 second"))
      assert.strictEqual(got, "writer in")
    }))

  it.live("Condition: a notification to a waiter interrupted before it resumes passes on", () =>
    Effect.gen(function*() {
      const cond = yield* Condition.make()
      let woke = 0
      const waiter = cond.withLock(Effect.andThen(cond.wait, Effect.sync(() => void woke++)))
      const a = yield* Effect.forkChild(waiter)
      const b = yield* Effect.forkChild(waiter)
      yield* Effect.promise(() => new Promise((r) => setImmediate(r)))
      yield* cond.withLock(cond.notify(1))
      yield* Fiber.interrupt(a)
      const joined = yield* Fiber.join(b).pipe(Effect.timeout("1 second"), Effect.exit)
      assert.isTrue(joined._tag === "Success", "the second waiter got the passed-on notification")
      assert.strictEqual(woke, 1)
    }))
})

describe("timers are not starved", () => {
  it.live(
    "three fibers contending a Semaphore(2) with no other yields still let a timer fire",
    () =>
      Effect.gen(function*() {
        const sem = yield* Semaphore.make(2)
        let rounds = 0
        let firedAt = -1
        const start = Date.now()
        setTimeout(() => {
          firedAt = rounds
        }, 0)
        const loop = Effect.gen(function*() {
          for (let i = 0; i < 30_000; i++) yield* sem.withPermit(Effect.sync(() => void rounds++))
        })
        yield* Effect.all([loop, loop, loop], { concurrency: "unbounded", discard: true })
        assert.isAbove(firedAt, -1)
        assert.isBelow(firedAt, 90_000, `timer fired only after ${firedAt} rounds (${Date.now() - start} ms)`)
      }),
    60_000
  )
})
