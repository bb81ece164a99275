import { assert, describe, it } from "@effect/vitest"
import { Gen, Leaks, TestTime } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Fiber, Queue, Result } from "effect"
import * as Condition from "../src/Condition.js"
import { LockOrderViolation } from "../src/Errors.js"
import * as Lock from "../src/Lock.js"
import * as LockOrder from "../src/LockOrder.js"
import * as ReadWriteLock from "../src/ReadWriteLock.js"
import * as ReentrantLock from "../src/ReentrantLock.js"

/** The violation an effect died with, if any. */
const violationOf = <A, E>(exit: Exit.Exit<A, E>): LockOrderViolation | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const defect = Cause.findDefect(exit.cause)
  return Result.isSuccess(defect) && defect.success instanceof LockOrderViolation ? defect.success : undefined
}

const makeLocks = (n: number) =>
  Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) => Lock.make({ name: `lock-${i}` }))

/** Takes `locks` one inside the other, in the order given. */
const nested = (locks: ReadonlyArray<LockOrder.Lockable>, body: Effect.Effect<void> = Effect.void) =>
  locks.reduceRight((inner, lock) => lock.withLock(inner), body)

describe("LockOrder.withLocks", () => {
  it.effect("takes locks in rank order whatever order they are given in, each once, and releases them all", () =>
    Effect.gen(function*() {
      const [a, b, c] = yield* makeLocks(3)
      const seen = yield* LockOrder.withLocks(Effect.all([a!.isLocked, b!.isLocked, c!.isLocked]), [c!, a!, b!, a!])
      assert.deepStrictEqual(seen, [true, true, true])
      assert.deepStrictEqual(yield* Effect.all([a!.isLocked, b!.isLocked, c!.isLocked]), [false, false, false])
    }))

  it.effect("interrupted part-way, it releases exactly the locks it took", () =>
    Effect.gen(function*() {
      const [a, b] = yield* makeLocks(2)
      yield* b!.acquire
      const fiber = yield* Effect.forkChild(Effect.void.pipe(LockOrder.withLocks([b!, a!])))
      yield* Leaks.settle
      assert.isTrue(yield* a!.isLocked) // taken first, now waiting for b
      yield* Fiber.interrupt(fiber)
      assert.isFalse(yield* a!.isLocked)
      assert.isTrue(yield* b!.isLocked)
    }))

  it.effect("orders every kind of lock: Lock, ReentrantLock and a ReadWriteLock's write side", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      const reentrant = yield* ReentrantLock.make()
      const rw = yield* ReadWriteLock.make()
      const inside = yield* LockOrder.withLocks(Effect.all([lock.isLocked, rw.state]), [rw.writeLock, reentrant, lock])
      assert.deepStrictEqual(inside, [true, { readers: 0, writing: true, waiting: 0 }])
    }))

  it.effect("two fibers locking in opposite orders by hand deadlock (the helper reports it)", () =>
    Effect.gen(function*() {
      const [a, b] = yield* makeLocks(2)
      const pause = Effect.sleep(1)
      const error = yield* Effect.flip(TestTime.run(Effect.all([
        a!.withLock(Effect.andThen(pause, b!.withLock(Effect.void))),
        b!.withLock(Effect.andThen(pause, a!.withLock(Effect.void)))
      ], { concurrency: "unbounded" })))
      assert.strictEqual(error._tag, "Deadlocked")
    }))

  it.effect.prop(
    "never deadlocks: fibers taking random lock sets in random orders all finish",
    [Gen.array(Gen.uniqueArray(Gen.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 }), {
      minLength: 2,
      maxLength: 8
    })],
    ([sets]) =>
      Effect.gen(function*() {
        const locks = yield* makeLocks(5)
        const done = yield* TestTime.run(Effect.forEach(sets, (set, i) =>
          LockOrder.withLocks(
            Effect.as(Effect.sleep(1 + (i % 3)), i),
            set.map((k) => locks[k]!)
          ), {
          concurrency: "unbounded"
        }))
        assert.deepStrictEqual(
          done,
          sets.map((_, i) => i)
        )
        for (const lock of locks) assert.isFalse(yield* lock.isLocked)
      }),
    { arbitrary: { runs: 40 } }
  )
})

describe("LockOrder.Detector", () => {
  it.effect("reports an inverted order the first time it happens, naming both orders and the fibers", () =>
    Effect.gen(function*() {
      const a = yield* Lock.make({ name: "account-A" })
      const b = yield* Lock.make({ name: "account-B" })
      yield* nested([a, b])
      const violation = violationOf(yield* Effect.exit(nested([b, a])))
      assert.isDefined(violation)
      assert.deepStrictEqual(violation!.holding, ["account-B"])
      assert.strictEqual(violation!.acquiring, "account-A")
      assert.deepStrictEqual(violation!.recordedOrder, ["account-A", "account-B"])
      assert.match(
        violation!.message,
        /^lock order violation: fiber #\d+ acquires account-A while holding account-B \(order account-B → account-A\), but the order account-A → account-B was recorded earlier \(by fiber #\d+\): fibers taking these locks in both orders can deadlock$/
      )
      // the refused acquisition took nothing
      assert.isFalse(yield* a.isLocked)
      assert.isFalse(yield* b.isLocked)
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("finds longer cycles", () =>
    Effect.gen(function*() {
      const [a, b, c] = yield* makeLocks(3)
      yield* nested([a!, b!])
      yield* nested([b!, c!])
      const violation = violationOf(yield* Effect.exit(nested([c!, a!])))
      assert.deepStrictEqual(violation?.recordedOrder, ["lock-0", "lock-1", "lock-2"])
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("reports a Lock taken twice by its holder, but not a ReentrantLock", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make({ name: "plain" })
      const violation = violationOf(yield* Effect.exit(nested([lock, lock])))
      assert.strictEqual(violation?.acquiring, "plain")
      assert.deepStrictEqual(violation?.holding, ["plain"])
      const reentrant = yield* ReentrantLock.make()
      yield* nested([reentrant, reentrant])
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("checks the write side of a ReadWriteLock too", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      const rw = yield* ReadWriteLock.make({ name: "table" })
      yield* nested([lock, rw.writeLock])
      assert.strictEqual(violationOf(yield* Effect.exit(nested([rw.writeLock, lock])))?.holding[0], "table(write)")
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("checks Condition.wait taking its lock back like any acquisition", () =>
    Effect.gen(function*() {
      const a = yield* Lock.make({ name: "a" }) // the condition's lock
      const b = yield* Lock.make({ name: "b" })
      const condition = yield* Condition.make(a)
      // x takes b while holding a, then waits holding b: woken, it takes a back while holding b
      const x = yield* Effect.forkChild(a.withLock(b.withLock(Effect.orDie(condition.wait))))
      yield* Leaks.settle
      // y takes a, notifies, then takes b: a → b again, and it waits for x's b
      const y = yield* Effect.forkChild(
        a.withLock(Effect.andThen(Effect.orDie(condition.notify()), b.withLock(Effect.void)))
      )
      const exit = yield* Effect.exit(TestTime.run(Fiber.await(x)))
      const violation = Exit.isSuccess(exit) ? violationOf(exit.value) : undefined
      assert.strictEqual(violation?.acquiring, "a")
      assert.deepStrictEqual(violation?.holding, ["b"])
      yield* Fiber.join(y) // x died without taking a back, and let go of b: y goes on
      assert.isFalse(yield* a.isLocked)
      assert.isFalse(yield* b.isLocked)
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("is off without the layer", () =>
    Effect.gen(function*() {
      const [a, b] = yield* makeLocks(2)
      yield* nested([a!, b!])
      yield* nested([b!, a!])
    }))

  it.effect.prop(
    "flags every inverted pair, and never a consistent order",
    [
      Gen.array(Gen.uniqueArray(Gen.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }), {
        minLength: 1,
        maxLength: 6
      }),
      Gen.uniqueArray(Gen.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 2 })
    ],
    ([sets, [x, y]]) =>
      Effect.gen(function*() {
        const locks = yield* makeLocks(6)
        // consistent: every set taken in rank order, by concurrent fibers
        const exits = yield* TestTime.run(Effect.forEach(sets, (set) =>
          Effect.exit(nested(
            [...set].sort((p, q) => p - q).map((k) => locks[k]!),
            Effect.sleep(1)
          )), {
          concurrency: "unbounded"
        }))
        assert.isTrue(exits.every(Exit.isSuccess))
        // inverted: low then high (consistent with the sets above), then high then low
        const [low, high] = [Math.min(x!, y!), Math.max(x!, y!)]
        yield* nested([locks[low]!, locks[high]!])
        const violation = violationOf(yield* Effect.exit(nested([locks[high]!, locks[low]!])))
        assert.isDefined(violation)
        assert.strictEqual(violation!.acquiring, `lock-${low}`)
        assert.deepStrictEqual(violation!.holding, [`lock-${high}`])
      }).pipe(Effect.provide(LockOrder.Detector)),
    { arbitrary: { runs: 40 } }
  )
})

describe("LockOrder.Detector (child fibers)", () => {
  it.effect("counts what a child takes as taken while holding its parent's locks", () =>
    Effect.gen(function*() {
      const [c, d, e, f] = yield* makeLocks(4)
      yield* c!.withLock(Effect.timeout(Effect.andThen(d!.acquire, d!.release), "1 second"))
      assert.strictEqual(violationOf(yield* Effect.exit(nested([d!, c!])))?.acquiring, "lock-0")
      yield* e!.withLock(Effect.all([f!.withLock(Effect.void), Effect.void], { concurrency: 2 }))
      assert.strictEqual(violationOf(yield* Effect.exit(nested([f!, e!])))?.acquiring, "lock-2")
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("a child waiting for a lock its parent holds is not a self-deadlock", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      const child = yield* lock.withLock(Effect.forkChild(lock.withLock(Effect.succeed("child got it"))))
      assert.strictEqual(yield* Fiber.join(child), "child got it")
    }).pipe(Effect.provide(LockOrder.Detector)))
})

describe("LockOrder.Detector (a child outliving its parent's hold)", () => {
  it.effect("a child forked inside a critical section does not hold the parent's lock once the parent let go", () =>
    Effect.gen(function*() {
      const [a, b] = yield* makeLocks(2)
      const gate = yield* Deferred.make<void>()
      // forked while the parent holds a; takes b only after the parent released a
      const child = yield* a!.withLock(Effect.forkChild(Effect.andThen(Deferred.await(gate), b!.withLock(Effect.void))))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(child)
      // b then a: the only order any fiber really took them in
      const exit = yield* Effect.exit(nested([b!, a!]))
      assert.isUndefined(violationOf(exit), String(exit))
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("the workers of a pool made inside a critical section do not inherit it", () =>
    Effect.gen(function*() {
      const [a, b] = yield* makeLocks(2)
      const jobs = yield* Queue.unbounded<Effect.Effect<void>>()
      // the pool's workers are forked while a is held, and live on after a is released
      const workers = yield* a!.withLock(Effect.forEach(
        [1, 2],
        () => Effect.forkChild(Effect.forever(Effect.flatten(Queue.take(jobs))))
      ))
      const done = yield* Deferred.make<void>()
      yield* Queue.offer(jobs, Effect.andThen(b!.withLock(Effect.void), Deferred.succeed(done, undefined)))
      yield* Deferred.await(done)
      const exit = yield* Effect.exit(nested([b!, a!]))
      assert.isUndefined(violationOf(exit), String(exit))
      yield* Fiber.interruptAll(workers)
    }).pipe(Effect.provide(LockOrder.Detector)))

  it.effect("a child still counts as holding what its parent holds while the parent holds it", () =>
    Effect.gen(function*() {
      const [a, b] = yield* makeLocks(2)
      const gate = yield* Deferred.make<void>()
      yield* a!.withLock(Effect.gen(function*() {
        const child = yield* Effect.forkChild(Effect.andThen(Deferred.await(gate), b!.withLock(Effect.void)))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(child) // the parent waits for the child while holding a: a → b
      }))
      assert.strictEqual(violationOf(yield* Effect.exit(nested([b!, a!])))?.acquiring, "lock-0")
    }).pipe(Effect.provide(LockOrder.Detector)))
})
