import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Leaks, TaskSet, TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as Lock from "../src/Lock.js"
import * as ReentrantLock from "../src/ReentrantLock.js"
import { isInterrupted, yieldOnWake } from "./helpers.js"

type AnyLock = Lock.Lock | ReentrantLock.ReentrantLock

// The behaviour both kinds of lock share: one contract, run for each.
const contract = (kind: string, make: Effect.Effect<AnyLock>) =>
  describe(`${kind} (lock contract)`, () => {
    it.effect("lets one fiber in at a time: no update is lost across a yield", () =>
      Effect.gen(function*() {
        const lock = yield* make
        let counter = 0
        const increment = lock.withLock(Effect.gen(function*() {
          const n = counter
          yield* Effect.yieldNow
          counter = n + 1
        }))
        yield* Effect.all(Array.from({ length: 50 }, () => increment), { concurrency: "unbounded" })
        assert.strictEqual(counter, 50)
        assert.isFalse(yield* lock.isLocked)
      }))

    it.effect("serves waiters first come, first served", () =>
      Effect.gen(function*() {
        const lock = yield* make
        const probe = yield* ConcurrencyProbe.make
        yield* lock.acquire
        const fibers = yield* Effect.forEach(
          [1, 2, 3, 4],
          (i) => Effect.forkChild(lock.withLock(probe.track(Effect.sleep(10), `w${i}`))).pipe(Effect.tap(Leaks.settle))
        )
        yield* lock.release
        yield* TestClock.adjust(100)
        yield* Fiber.joinAll(fibers)
        assert.deepStrictEqual(yield* probe.starts, ["w1", "w2", "w3", "w4"])
        assert.strictEqual(yield* probe.peak, 1)
      }))

    it.effect("hands the lock straight to the longest waiter: no one barges in", () =>
      Effect.gen(function*() {
        const lock = yield* make
        yield* lock.acquire
        const waiter = yield* Effect.forkChild(lock.withLock(Effect.never))
        yield* Leaks.settle
        yield* lock.release
        // the waiter has not run yet, but the lock is already its own
        assert.isTrue(yield* lock.isLocked)
        const barger = yield* Effect.forkChild(lock.tryAcquire)
        assert.isFalse(yield* Fiber.join(barger))
        yield* Fiber.interrupt(waiter)
        assert.isFalse(yield* lock.isLocked)
      }))

    it.effect("tryAcquire takes a free lock and refuses a held one", () =>
      Effect.gen(function*() {
        const lock = yield* make
        assert.isTrue(yield* lock.tryAcquire)
        assert.isTrue(yield* lock.isLocked)
        assert.isFalse(yield* Fiber.join(yield* Effect.forkChild(lock.tryAcquire)))
        yield* lock.release
        assert.isFalse(yield* lock.isLocked)
      }))

    it.effect("release by a fiber that does not hold it fails NotOwner and changes nothing", () =>
      Effect.gen(function*() {
        const lock = yield* make
        const free = yield* Effect.flip(lock.release)
        assert.strictEqual(free._tag, "NotOwner")
        assert.match(
          free.message,
          new RegExp(`^${kind}\\.release: fiber #\\d+ does not hold ${kind}#\\d+ \\(it is not held\\)$`)
        )
        yield* lock.acquire
        const child = yield* Effect.flip(Fiber.join(yield* Effect.forkChild(lock.release)))
        assert.strictEqual(child._tag, "NotOwner")
        assert.match(child.message, /\(it is held by fiber #\d+\)$/)
        assert.isTrue(yield* lock.isLocked)
        yield* lock.release
        assert.isFalse(yield* lock.isLocked)
      }))

    // On Effect 4, `Effect.timeout` runs its effect in a fiber of its own and merges nothing
    // back: the lock is that fiber's. It is let go when that fiber ends (else nobody could ever
    // release it), and the caller's release fails NotOwner saying why (use acquireFor).
    it.effect("a lock taken inside Effect.timeout is the timed fiber's: let go when it ends; the caller's release says so", () =>
      Effect.gen(function*() {
        const lock = yield* make
        yield* Effect.timeout(lock.acquire, "1 second")
        yield* Leaks.settle
        assert.isFalse(yield* lock.isLocked)
        const error = yield* Effect.flip(lock.release)
        assert.strictEqual(error._tag, "NotOwner")
        assert.isDefined(error.endedOwner)
        assert.include(error.message, "use acquireFor")
        assert.isTrue(yield* lock.acquireFor("1 second"))
        yield* lock.release
      }))

    // Regression (outside review of the Effect 4 port): ownership once passed to any fiber with
    // the ended owner's context, and siblings share their parent's context: a sibling could
    // release, or (reentrant) enter, a lock whose real holder was still inside.
    it.effect("a sibling can neither release nor enter a lock its sibling holds", () =>
      Effect.gen(function*() {
        const lock = yield* make
        const inside = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(
          Effect.andThen(lock.acquire, Effect.andThen(Deferred.succeed(inside, undefined), Effect.never))
        )
        yield* Deferred.await(inside)
        const sibling = yield* Effect.forkChild(Effect.flip(lock.release))
        assert.strictEqual((yield* Fiber.join(sibling))._tag, "NotOwner")
        assert.isFalse(yield* Fiber.join(yield* Effect.forkChild(lock.tryAcquire)))
        assert.isTrue(yield* lock.isLocked)
        yield* Fiber.interrupt(holder)
        assert.isFalse(yield* lock.isLocked) // let go when its holder ended
      }))

    it.effect("an acquire that times out while waiting leaves no trace", () =>
      Effect.gen(function*() {
        const lock = yield* make
        const holder = yield* Effect.forkChild(lock.withLock(Effect.sleep("10 seconds")))
        yield* Leaks.settle
        const waited = yield* Effect.forkChild(Effect.timeout(lock.acquire, "1 second"))
        yield* TestClock.adjust("1 second")
        const exit = yield* Fiber.await(waited)
        assert.isTrue(Exit.isFailure(exit))
        yield* TestClock.adjust("10 seconds")
        yield* Fiber.join(holder)
        assert.isFalse(yield* lock.isLocked)
        assert.isTrue(yield* lock.tryAcquire)
      }))

    it.effect("releases when the body fails, dies or is interrupted", () =>
      Effect.gen(function*() {
        const lock = yield* make
        assert.deepStrictEqual(yield* Effect.exit(lock.withLock(Effect.fail("boom"))), Exit.fail("boom"))
        assert.isTrue(Exit.isFailure(yield* Effect.exit(lock.withLock(Effect.die("bug")))))
        const holder = yield* Effect.forkChild(lock.withLock(Effect.never))
        yield* Leaks.settle
        assert.isTrue(yield* lock.isLocked)
        yield* Fiber.interrupt(holder)
        assert.isFalse(yield* lock.isLocked)
      }))

    it.effect("a waiter interrupted right after being handed the lock passes it on", () =>
      Effect.gen(function*() {
        const lock = yield* make
        yield* lock.acquire
        const first = yield* Effect.forkChild(lock.withLock(Effect.void))
        yield* Leaks.settle
        const second = yield* Effect.forkChild(lock.withLock(Effect.succeed("second ran")))
        yield* Leaks.settle
        // in one step: the lock is handed to `first`, which is interrupted before it resumes
        yieldOnWake(first)
        yield* Effect.withFiber((self) =>
          Effect.andThen(lock.release, Effect.sync(() => first.interruptUnsafe(self.id)))
        )
        assert.isTrue(isInterrupted(yield* Fiber.await(first)))
        assert.strictEqual(yield* Fiber.join(second), "second ran")
        assert.isFalse(yield* lock.isLocked)
      }))

    it.effect("a release by hand inside withLock is not undone a second time", () =>
      Effect.gen(function*() {
        const lock = yield* make
        yield* lock.withLock(lock.release)
        assert.isFalse(yield* lock.isLocked)
        const other = yield* Effect.forkChild(Effect.andThen(lock.acquire, Effect.never))
        yield* Leaks.settle
        assert.isTrue(yield* lock.isLocked)
        yield* Fiber.interrupt(other)
      }))

    it.effect.prop(
      "never more than one inside, every task ends as its spec or interrupted, and the lock ends free",
      [TaskSet.arbitrary({ maxTasks: 12, maxDuration: 50 })],
      ([tasks]) =>
        Effect.gen(function*() {
          const lock = yield* make
          const probe = yield* ConcurrencyProbe.make
          const exit = yield* Leaks.expectNoLeaks(
            TestTime.run(TaskSet.run(tasks, (task) => lock.withLock(probe.track(task)))),
            lock.isLocked
          )
          assert.isTrue(Exit.isSuccess(exit))
          if (Exit.isSuccess(exit)) {
            exit.value.forEach((taskExit, i) => {
              const outcome = TaskSet.outcomeOf(taskExit)
              const spec = tasks[i]!
              if (spec.interruptAfter === undefined) assert.strictEqual(outcome, TaskSet.expectedOutcome(spec))
              else assert.oneOf(outcome, ["interrupted", TaskSet.expectedOutcome(spec)])
            })
          }
          assert.isAtMost(yield* probe.peak, 1)
          assert.strictEqual(yield* probe.current, 0)
        }),
      { arbitrary: { runs: 40 } }
    )
  })

contract("Lock", Lock.make())
contract("ReentrantLock", ReentrantLock.make())

describe("Lock", () => {
  it.effect("is not reentrant: a second acquire by its holder waits", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make()
      const error = yield* Effect.flip(TestTime.run(lock.withLock(lock.withLock(Effect.void))))
      assert.strictEqual(error._tag, "Deadlocked")
    }))

  it.effect("uses the name it was given in errors", () =>
    Effect.gen(function*() {
      const lock = yield* Lock.make({ name: "accounts" })
      assert.strictEqual(lock.name, "accounts")
      assert.include((yield* Effect.flip(lock.release)).message, "does not hold accounts")
    }))

  it("ranks locks by creation order", () => {
    const a = Lock.unsafeMake()
    const b = Lock.unsafeMake()
    assert.isBelow(a.rank, b.rank)
    assert.strictEqual(a.name, `Lock#${a.rank}`)
  })
})

describe("ReentrantLock", () => {
  it.effect("its holder may take it again; it is free after as many releases", () =>
    Effect.gen(function*() {
      const lock = yield* ReentrantLock.make()
      yield* lock.withLock(lock.withLock(lock.withLock(Effect.void)))
      yield* lock.acquire
      yield* lock.acquire
      assert.isTrue(yield* lock.tryAcquire)
      yield* lock.release
      yield* lock.release
      assert.isTrue(yield* lock.isLocked)
      yield* lock.release
      assert.isFalse(yield* lock.isLocked)
      assert.strictEqual((yield* Effect.flip(lock.release))._tag, "NotOwner")
    }))

  it.effect("a child fiber is another owner: it waits while its parent holds the lock", () =>
    Effect.gen(function*() {
      const lock = yield* ReentrantLock.make()
      yield* lock.acquire
      const child = yield* Effect.forkChild(lock.withLock(Effect.succeed("child in")))
      yield* Leaks.settle
      assert.isUndefined(child.pollUnsafe())
      assert.isFalse(yield* Fiber.join(yield* Effect.forkChild(lock.tryAcquire)))
      yield* lock.release
      assert.strictEqual(yield* Fiber.join(child), "child in")
    }))

  it.effect("a child that ends holding a lock lets it go, every hold at once; its parent cannot release it", () =>
    Effect.gen(function*() {
      const lock = yield* ReentrantLock.make()
      yield* Fiber.join(yield* Effect.forkChild(Effect.andThen(lock.acquire, lock.acquire)))
      assert.isFalse(yield* lock.isLocked)
      const error = yield* Effect.flip(lock.release)
      assert.strictEqual(error._tag, "NotOwner")
      assert.isTrue(yield* lock.tryAcquire)
      yield* lock.release
    }))

  it.effect("a holder re-acquiring under Effect.timeout waits: the timed effect runs in another fiber", () =>
    Effect.gen(function*() {
      const lock = yield* ReentrantLock.make()
      yield* lock.acquire
      const timed = yield* Effect.forkChild(Effect.timeout(lock.acquire, "1 second"))
      yield* TestClock.adjust("1 second")
      const error = yield* Effect.flip(Fiber.join(timed))
      assert.strictEqual(error._tag, "TimeoutError")
      yield* lock.release
      assert.isFalse(yield* lock.isLocked)
    }))

  // Regression (outside review of the Effect 4 port): withLock let go only of the hold it took,
  // so a body that released by hand and took the lock again left it held for ever.
  it.effect("withLock around a body that releases and takes the lock again: free at its end", () =>
    Effect.gen(function*() {
      for (const lock of [yield* Lock.make(), yield* ReentrantLock.make()]) {
        yield* lock.withLock(Effect.gen(function*() {
          yield* lock.release
          yield* Effect.yieldNow
          yield* lock.acquire
        }))
        assert.isFalse(yield* lock.isLocked)
      }
    }))
})
