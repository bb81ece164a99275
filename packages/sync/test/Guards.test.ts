import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Barrier from "../src/Barrier.js"
import * as BoundedSemaphore from "../src/BoundedSemaphore.js"
import * as Condition from "../src/Condition.js"
import * as CountdownLatch from "../src/CountdownLatch.js"
import * as Event from "../src/Event.js"
import * as Lock from "../src/Lock.js"
import * as ReadWriteLock from "../src/ReadWriteLock.js"
import * as ReentrantLock from "../src/ReentrantLock.js"
import * as Semaphore from "../src/Semaphore.js"

/** Values no guard accepts. */
const strangers: ReadonlyArray<unknown> = [{}, null, undefined, 42, "Lock", () => {}, Effect.void]

describe("guards", () => {
  it.effect("each guard accepts what its module makes, and nothing else", () =>
    Effect.gen(function*() {
      const made = {
        barrier: yield* Barrier.make(2),
        boundedSemaphore: yield* BoundedSemaphore.make(1),
        condition: yield* Condition.make(),
        countdownLatch: yield* CountdownLatch.make(1),
        event: yield* Event.make,
        lock: yield* Lock.make(),
        readWriteLock: yield* ReadWriteLock.make(),
        reentrantLock: yield* ReentrantLock.make(),
        semaphore: yield* Semaphore.make(1)
      }
      type Name = keyof typeof made
      const guards: Record<Name, (u: unknown) => boolean> = {
        barrier: Barrier.isBarrier,
        boundedSemaphore: BoundedSemaphore.isBoundedSemaphore,
        condition: Condition.isCondition,
        countdownLatch: CountdownLatch.isCountdownLatch,
        event: Event.isEvent,
        lock: Lock.isLock,
        readWriteLock: ReadWriteLock.isReadWriteLock,
        reentrantLock: ReentrantLock.isReentrantLock,
        semaphore: Semaphore.isSemaphore
      }
      // a BoundedSemaphore is a Semaphore (it extends it and carries its type id); nothing else overlaps
      const alsoAccepts: Partial<Record<Name, ReadonlyArray<Name>>> = { semaphore: ["boundedSemaphore"] }
      for (const [guardName, guard] of Object.entries(guards) as Array<[Name, (u: unknown) => boolean]>) {
        for (const [valueName, value] of Object.entries(made) as Array<[Name, unknown]>) {
          const expected = valueName === guardName || (alsoAccepts[guardName]?.includes(valueName) ?? false)
          assert.strictEqual(guard(value), expected, `${guardName} of a ${valueName}`)
        }
        for (const stranger of strangers) assert.isFalse(guard(stranger), `${guardName} of ${String(stranger)}`)
      }
    }))

  it.effect("the lock guards tell the lock kinds apart, whoever made them", () =>
    Effect.gen(function*() {
      assert.isTrue(Lock.isLock(Lock.unsafeMake()))
      assert.isFalse(ReentrantLock.isReentrantLock(Lock.unsafeMake()))
      const condition = yield* Condition.make() // bound to a ReentrantLock of its own
      assert.isTrue(ReentrantLock.isReentrantLock(condition.lock))
      assert.isFalse(Lock.isLock(condition.lock))
      const lock = yield* Lock.make()
      assert.isTrue(Lock.isLock((yield* Condition.make(lock)).lock))
      // the write side of a ReadWriteLock is a Lockable, not a Lock
      const rw = yield* ReadWriteLock.make()
      assert.isFalse(Lock.isLock(rw.writeLock))
      assert.isFalse(ReentrantLock.isReentrantLock(rw.writeLock))
      // a look-alike carrying the shared Lockable type id is neither
      const lookAlike = { ...lock, reentrant: false }
      assert.isFalse(Lock.isLock(lookAlike))
    }))
})
