/**
 * Every primitive of the package under the schedule explorer: fibers switched between any two
 * ops, one actor interrupted before a random op, time jumping to the next wake-up. Each scenario
 * asserts the primitive's invariants at the end of every schedule: never more inside than allowed,
 * nothing held or waiting afterwards, every waiter woken, no false lock-order violation.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Interleavings, Linearizability } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as Barrier from "../src/Barrier.js"
import * as BoundedSemaphore from "../src/BoundedSemaphore.js"
import * as Condition from "../src/Condition.js"
import * as CountdownLatch from "../src/CountdownLatch.js"
import * as Event from "../src/Event.js"
import * as Lock from "../src/Lock.js"
import * as LockOrder from "../src/LockOrder.js"
import * as ReadWriteLock from "../src/ReadWriteLock.js"
import * as ReentrantLock from "../src/ReentrantLock.js"
import * as Semaphore from "../src/Semaphore.js"
import { isInterrupted } from "./helpers.js"

const options = { schedules: 150, interrupts: true } as const

/** Counts who is inside a critical section, and the most there ever were at once. */
const room = () => {
  let inside = 0
  let peak = 0
  return {
    get peak() {
      return peak
    },
    get inside() {
      return inside
    },
    /** Enters, lets others run, leaves — however it ends. */
    visit: (weight = 1) =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          inside += weight
          peak = Math.max(peak, inside)
        }),
        () => Effect.yieldNow,
        () =>
          Effect.sync(() => {
            inside -= weight
          })
      )
  }
}

const awaitAll = <A, E>(fibers: ReadonlyArray<Fiber.Fiber<A, E>>) => Effect.forEach(fibers, Fiber.await)

describe("Interleavings: locks", () => {
  for (const kind of ["Lock", "ReentrantLock"] as const) {
    it.effect(`${kind}: never two inside, never left held, whoever is interrupted at whatever op`, () =>
      Interleavings.explore(
        Effect.gen(function*() {
          const lock = kind === "Lock" ? yield* Lock.make() : yield* ReentrantLock.make()
          const probe = yield* ConcurrencyProbe.make
          const visit = probe.track(Effect.yieldNow)
          const byHand = Effect.uninterruptibleMask((restore) =>
            Effect.andThen(lock.acquire, Effect.ensuring(restore(visit), Effect.orDie(lock.release)))
          )
          const actors = yield* Effect.forEach(
            [lock.withLock(visit), byHand, lock.withLock(visit)],
            (actor) => Interleavings.fork(actor)
          )
          yield* awaitAll(actors)
          assert.strictEqual(yield* probe.peak, 1)
          assert.isFalse(yield* lock.isLocked)
        }),
        options
      ))
  }

  it.effect("Lock.acquireFor racing a release in the same tick: the answer is what the caller holds", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const lock = yield* Lock.make()
        yield* lock.acquire
        // acquire and release as separate calls: uninterruptible between them, as a caller must be
        const waiter = yield* Effect.forkChild(Effect.uninterruptible(
          Effect.flatMap(
            lock.acquireFor("1 second"),
            (got) => (got ? Effect.as(lock.release, got) : Effect.succeed(got))
          )
        ))
        yield* Effect.sleep("1 second")
        yield* lock.release
        yield* Fiber.join(waiter)
        assert.isFalse(yield* lock.isLocked)
      }),
      options
    ))

  it.effect("ReadWriteLock: a writer is alone inside; the lock ends idle", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const rw = yield* ReadWriteLock.make()
        const readers = room()
        const writers = room()
        const read = rw.withRead(Effect.andThen(
          readers.visit(),
          Effect.sync(() => assert.strictEqual(writers.inside, 0))
        ))
        const write = rw.withWrite(Effect.andThen(
          writers.visit(),
          Effect.sync(() => assert.strictEqual(readers.inside, 0))
        ))
        const actors = yield* Effect.forEach([read, write, read, write], (actor) => Interleavings.fork(actor))
        const exits = yield* awaitAll(actors)
        for (const exit of exits) assert.isFalse(Exit.isFailure(exit) && !isInterrupted(exit), String(exit))
        assert.strictEqual(writers.peak, 1)
        assert.deepStrictEqual(yield* rw.state, { readers: 0, writing: false, waiting: 0 })
      }),
      options
    ))
})

describe("Interleavings: semaphores", () => {
  it.effect("Semaphore: never more than its permits inside, every permit back at the end", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const semaphore = yield* Semaphore.make(3)
        const critical = room()
        const actors = yield* Effect.forEach(
          [1, 2, 3, 1],
          (n) => Interleavings.fork(Effect.orDie(semaphore.withPermits(n)(critical.visit(n))))
        )
        yield* awaitAll(actors)
        assert.isAtMost(critical.peak, 3)
        assert.strictEqual(yield* semaphore.available, 3)
        assert.strictEqual(yield* semaphore.waiting, 0)
      }),
      options
    ))

  it.effect("Semaphore.acquireFor racing a release in the same tick: no permit lost or doubled", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const semaphore = yield* Semaphore.make(1)
        yield* Effect.orDie(semaphore.acquire())
        const waiters = yield* Effect.forEach(
          [1, 2],
          () =>
            Effect.forkChild(Effect.uninterruptible(Effect.orDie(Effect.flatMap(
              semaphore.acquireFor("1 second"),
              (got) => (got ? Effect.andThen(semaphore.release(), Effect.succeed(got)) : Effect.succeed(got))
            ))))
        )
        yield* Effect.sleep("1 second")
        yield* Effect.orDie(semaphore.release())
        yield* awaitAll(waiters)
        assert.strictEqual(yield* semaphore.available, 1)
      }),
      options
    ))

  it.effect("BoundedSemaphore: refuses to go above its permits, and ends full", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const semaphore = yield* BoundedSemaphore.make(2)
        const actors = yield* Effect.forEach([1, 2, 1], (n) =>
          Interleavings.fork(Effect.orDie(semaphore.withPermits(n)(Effect.yieldNow))))
        yield* awaitAll(actors)
        const refused = yield* Effect.flip(semaphore.release())
        assert.strictEqual(refused._tag, "SemaphoreOverRelease")
        assert.strictEqual(yield* semaphore.available, 2)
      }),
      options
    ))

  type Input = { readonly acquire: number } | { readonly release: number } | { readonly available: true }
  type Output = "ok" | number | "interrupted"
  /** A counting semaphore: an acquire takes effect when it gets its permits; `available` reads the free count. */
  const counting = (permits: number): Linearizability.Model<number, Input, Output> => ({
    init: permits,
    step: (free, input, output) => {
      if (output === "interrupted") return free
      if ("acquire" in input) return free >= input.acquire ? free - input.acquire : undefined
      if ("release" in input) return free + input.release
      return output === undefined || output === free ? free : undefined
    }
  })

  it.effect("Semaphore is linearizable: acquire, release and available agree with a counting semaphore", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const semaphore = yield* Semaphore.make(2)
        const history = yield* Linearizability.makeHistory<Input, Output>()
        const answer = Exit.match<number | void, unknown, Output, Output>({
          onFailure: () => "interrupted",
          onSuccess: (v) => v ?? "ok"
        })
        const acquire = (p: string, n: number) =>
          history.record(p, { acquire: n }, Effect.orDie(semaphore.acquire(n)), answer)
        const release = (p: string, n: number) =>
          history.record(p, { release: n }, Effect.orDie(semaphore.release(n)), answer)
        const available = (p: string) => history.record(p, { available: true }, semaphore.available, answer)
        // acquire and release as separate calls are safe only uninterruptibly (interruption is
        // covered by withPermits above)
        const holder = (p: string, n: number) =>
          Effect.uninterruptible(Effect.andThen(acquire(p, n), Effect.andThen(available(p), release(p, n))))
        const actors = yield* Effect.forEach(
          [["a", 1], ["b", 2], ["c", 1]] as const,
          ([p, n]) => Effect.forkChild(holder(p, n))
        )
        yield* awaitAll(actors)
        yield* Linearizability.check(counting(2), yield* history.operations)
        assert.strictEqual(yield* semaphore.available, 2)
      }),
      options
    ))
})

describe("Interleavings: signals", () => {
  it.effect("Event: a set wakes every waiter, whenever it lands; waitFor's answer agrees with the flag", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const event = yield* Event.make
        const waiters = yield* Effect.forEach([1, 2], () => Interleavings.fork(event.wait))
        const timed = yield* Effect.forkChild(event.waitFor("1 second"))
        yield* Effect.sleep("1 second")
        yield* event.set
        yield* awaitAll(waiters)
        const got = yield* Fiber.join(timed)
        if (got) assert.isTrue(yield* event.isSet)
        assert.strictEqual(yield* event.waiting, 0)
      }),
      options
    ))

  it.effect("Event, CountdownLatch, Barrier.abort: a signal racing the first ops of its waiters wakes every one", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const event = yield* Event.make
        const latch = yield* CountdownLatch.make(1)
        const barrier = yield* Barrier.make(3)
        const waiters = yield* Effect.forEach(
          [event.wait, latch.await, Effect.exit(barrier.await), Effect.exit(barrier.await)],
          (wait) => Interleavings.fork(wait)
        )
        const signals = yield* Effect.forEach([event.set, latch.countDown, barrier.abort], Interleavings.race)
        yield* Effect.forEach(signals, (fired) => fired)
        yield* Effect.forEach(waiters, Fiber.await)
        assert.strictEqual(yield* event.waiting, 0)
        assert.strictEqual(yield* barrier.waiting, 0)
      }),
      options
    ))

  it.effect("Condition: no notification is lost; every item is consumed exactly once", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const condition = yield* Condition.make()
        const items: Array<number> = []
        const consumed: Array<number> = []
        const consume = condition.withLock(Effect.andThen(
          condition.waitUntil(Effect.sync(() => items.length > 0)),
          Effect.sync(() => void consumed.push(items.shift()!))
        ))
        const produce = (n: number) =>
          condition.withLock(Effect.andThen(Effect.sync(() => void items.push(n)), condition.notify()))
        const consumers = yield* Effect.forEach([1, 2], () => Interleavings.fork(Effect.orDie(consume)))
        yield* Effect.forEach([1, 2], (n) => Effect.orDie(produce(n)))
        const exits = yield* awaitAll(consumers)
        // a consumer that was not interrupted got an item; none got one twice
        assert.isAtLeast(consumed.length, exits.filter(Exit.isSuccess).length)
        assert.strictEqual(new Set(consumed).size, consumed.length)
        assert.strictEqual(consumed.length + items.length, 2)
        assert.strictEqual(yield* condition.waiting, 0)
        assert.isFalse(yield* condition.lock.isLocked)
      }),
      options
    ))

  it.effect("Barrier: the parties all pass with distinct indices, or all fail BrokenBarrier; none is left waiting", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        let actions = 0
        const barrier = yield* Barrier.make(3, { timeout: "1 second", action: Effect.sync(() => actions++) })
        const parties = yield* Effect.forEach([1, 2, 3], () => Interleavings.fork(barrier.await))
        const exits = yield* awaitAll(parties)
        const passed = exits.filter(Exit.isSuccess).map((exit) => exit.value)
        if (passed.length > 0) {
          // it tripped: every party that was not interrupted passed, each with its own index
          assert.strictEqual(passed.length + exits.filter(isInterrupted).length, 3)
          assert.strictEqual(new Set(passed).size, passed.length)
          for (const index of passed) assert.include([0, 1, 2], index)
          assert.strictEqual(actions, 1)
        } else {
          for (const exit of exits) {
            if (!isInterrupted(exit)) assert.include(String(exit), "BrokenBarrier")
          }
        }
        assert.strictEqual(yield* barrier.waiting, 0)
      }),
      options
    ))

  it.effect("CountdownLatch: every waiter passes once the count reaches zero, whenever it arrives", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const latch = yield* CountdownLatch.make(2)
        const waiters = yield* Effect.forEach([1, 2], () => Interleavings.fork(latch.await))
        yield* Effect.forEach([1, 2], () => Effect.forkChild(latch.countDown))
        yield* awaitAll(waiters)
        yield* latch.await
        assert.strictEqual(yield* latch.count, 0)
      }),
      options
    ))
})

describe("Interleavings: lock order", () => {
  it.effect("withLocks: fibers taking overlapping lock sets in any order never deadlock; the detector sees no cycle", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const [a, b, c] = yield* Effect.forEach(["a", "b", "c"], (name) => Lock.make({ name }))
        const sets = [[a!, b!], [c!, b!, a!], [b!, c!]]
        const actors = yield* Effect.forEach(
          sets,
          (set) => Interleavings.fork(LockOrder.withLocks(Effect.yieldNow, set))
        )
        const exits = yield* awaitAll(actors)
        for (const exit of exits) assert.isTrue(Exit.isSuccess(exit) || isInterrupted(exit), String(exit))
        for (const lock of [a!, b!, c!]) assert.isFalse(yield* lock.isLocked)
      }).pipe(Effect.provide(LockOrder.Detector)),
      options
    ))

  it.effect("a fiber forked inside a critical section does not hold its parent's lock after the parent released it", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const a = yield* Lock.make({ name: "a" })
        const b = yield* Lock.make({ name: "b" })
        const gate = yield* Deferred.make<void>()
        const child = yield* a.withLock(Effect.forkChild(Effect.andThen(Deferred.await(gate), b.withLock(Effect.void))))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(child)
        // b then a: the only order any fiber has really taken them in
        yield* b.withLock(a.withLock(Effect.void))
      }).pipe(Effect.provide(LockOrder.Detector)),
      { schedules: 50 }
    ))
})
