import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Semaphore as ESem } from "effect"
import * as Lock from "../src/Lock.js"
import * as ReadWriteLock from "../src/ReadWriteLock.js"
import * as Semaphore from "../src/Semaphore.js"

// Regression (outside review of the Effect 4 port): Effect 4 runs a resumed fiber at once, inside
// the call that resumes it. A hand-off that resumed the next waiter that way ran each next holder
// inside the releaser's stack: a line of N waiters with short bodies nested N fiber runs, and
// past ~650 a fiber died of a stack overflow mid-hand-off, the lock or permit never released
// again, every later waiter stuck. Woken waiters now yield first (Handoff's Waiter.settle).
const N = 5000

const run = (
  withIt: (body: Effect.Effect<void>) => Effect.Effect<void>,
  hold: Effect.Effect<void>,
  free: Effect.Effect<void>
) =>
  Effect.gen(function*() {
    let counter = 0
    yield* hold
    const fibers = yield* Effect.forEach(
      Array.from({ length: N }),
      () =>
        Effect.forkDetach(withIt(Effect.sync(() => {
          counter++
        })))
    )
    yield* Effect.yieldNow
    yield* free
    yield* Effect.timeoutOption(Effect.forEach(fibers, Fiber.await), 3000)
    const died = fibers.map((f) => f.pollUnsafe()).filter((e) => e !== undefined && Exit.isFailure(e))
    const report = `${counter}/${N} ran; ${died.length} died: ${
      died.length > 0 ? String((died[0] as Exit.Failure<unknown, unknown>).cause).slice(0, 120) : ""
    }`
    yield* Effect.forkDetach(Effect.forEach(fibers, Fiber.interrupt)) // best-effort cleanup, not awaited
    const finished = fibers.filter((f) => f.pollUnsafe() !== undefined).length
    assert.deepStrictEqual({ ran: counter, died: died.length, finished }, { ran: N, died: 0, finished: N }, report)
  })

describe("a line of 5,000 waiters with short bodies: every one runs, none dies, the lock ends free", () => {
  it.live("Effect's own Semaphore, for comparison", () =>
    Effect.gen(function*() {
      const sem = yield* ESem.make(1)
      yield* run(sem.withPermit, sem.take(1), Effect.asVoid(sem.release(1)))
    }), 20000)

  it.live("Lock.withLock", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      yield* run(lock.withLock, lock.acquire, Effect.orDie(lock.release))
    }), 20000)

  it.live("Semaphore.withPermit", () =>
    Effect.gen(function*() {
      const sem = yield* Semaphore.make(1)
      yield* run(sem.withPermit, Effect.orDie(sem.acquire(1)), Effect.orDie(sem.release(1)))
    }), 20000)

  it.live("ReadWriteLock.withWrite", () =>
    Effect.gen(function*() {
      const rw = yield* ReadWriteLock.make()
      const gate = yield* Lock.make()
      yield* gate.acquire
      const holder = yield* Effect.forkDetach(rw.withWrite(gate.withLock(Effect.void)))
      yield* Effect.yieldNow
      yield* run(rw.withWrite, Effect.void, Effect.orDie(gate.release))
      yield* Fiber.interrupt(holder)
    }), 20000)
})
