import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Gen, Leaks, TaskSet, TestTime } from "@fiberkit/testkit"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as ReadWriteLock from "../src/ReadWriteLock.js"

const idle: ReadWriteLock.ReadWriteLock.State = { readers: 0, writing: false, waiting: 0 }

describe("ReadWriteLock", () => {
  it.effect("lets many readers in at once", () =>
    Effect.gen(function*() {
      const lock = yield* ReadWriteLock.make()
      const probe = yield* ConcurrencyProbe.make
      const fiber = yield* Effect.forkChild(
        Effect.forEach([1, 2, 3, 4], () => lock.withRead(probe.track(Effect.sleep(10))), { concurrency: "unbounded" })
      )
      yield* TestClock.adjust(5)
      assert.deepStrictEqual(yield* lock.state, { readers: 4, writing: false, waiting: 0 })
      yield* TestClock.adjust(10)
      yield* Fiber.join(fiber)
      assert.strictEqual(yield* probe.peak, 4)
      assert.deepStrictEqual(yield* lock.state, idle)
    }))

  it.effect("a writer is alone: readers and writers wait for it", () =>
    Effect.gen(function*() {
      const lock = yield* ReadWriteLock.make()
      const writer = yield* Effect.forkChild(lock.withWrite(Effect.sleep(10)))
      yield* Leaks.settle
      const reader = yield* Effect.forkChild(lock.withRead(Effect.void))
      const writer2 = yield* Effect.forkChild(lock.withWrite(Effect.void))
      yield* Leaks.settle
      assert.deepStrictEqual(yield* lock.state, { readers: 0, writing: true, waiting: 2 })
      yield* TestClock.adjust(10)
      yield* Fiber.joinAll([writer, reader, writer2])
      assert.deepStrictEqual(yield* lock.state, idle)
    }))

  it.effect("a waiting writer holds back readers that come after it (writers are not starved)", () =>
    Effect.gen(function*() {
      const lock = yield* ReadWriteLock.make()
      const order: Array<string> = []
      const reader1 = yield* Effect.forkChild(
        lock.withRead(Effect.andThen(Effect.sleep(10), Effect.sync(() => order.push("r1"))))
      )
      yield* Leaks.settle
      const writer = yield* Effect.forkChild(lock.withWrite(Effect.sync(() => order.push("w"))))
      yield* Leaks.settle
      const reader2 = yield* Effect.forkChild(lock.withRead(Effect.sync(() => order.push("r2"))))
      yield* Leaks.settle
      assert.deepStrictEqual(yield* lock.state, { readers: 1, writing: false, waiting: 2 })
      yield* TestClock.adjust(10)
      yield* Fiber.joinAll([reader1, writer, reader2])
      assert.deepStrictEqual(order, ["r1", "w", "r2"])
    }))

  it.effect("readers queued behind a writer enter together when it leaves", () =>
    Effect.gen(function*() {
      const lock = yield* ReadWriteLock.make()
      const writer = yield* Effect.forkChild(lock.withWrite(Effect.sleep(10)))
      yield* Leaks.settle
      const readers = yield* Effect.forEach([1, 2, 3], () => Effect.forkChild(lock.withRead(Effect.sleep(10))))
      const lateWriter = yield* Effect.forkChild(lock.withWrite(Effect.void))
      yield* TestClock.adjust(15)
      assert.deepStrictEqual(yield* lock.state, { readers: 3, writing: false, waiting: 1 })
      yield* TestClock.adjust(10)
      yield* Fiber.joinAll([writer, lateWriter, ...readers])
    }))

  it.effect("a writer leaving the head of the line by interruption lets the readers behind it in", () =>
    Effect.gen(function*() {
      const lock = yield* ReadWriteLock.make()
      const reader = yield* Effect.forkChild(lock.withRead(Effect.never))
      yield* Leaks.settle
      const writer = yield* Effect.forkChild(lock.withWrite(Effect.void))
      yield* Leaks.settle
      const reader2 = yield* Effect.forkChild(lock.withRead(Effect.succeed("in")))
      yield* Leaks.settle
      yield* Fiber.interrupt(writer)
      assert.strictEqual(yield* Fiber.join(reader2), "in")
      yield* Fiber.interrupt(reader)
      assert.deepStrictEqual(yield* lock.state, idle)
    }))

  it.effect.prop(
    "a writer is never inside with anyone, and the lock ends idle whatever is interrupted",
    [
      TaskSet.arbitrary({ maxTasks: 14, maxDuration: 40 }),
      Gen.array(Gen.boolean, { minLength: 14, maxLength: 14 })
    ],
    ([tasks, writers]) =>
      Effect.gen(function*() {
        const lock = yield* ReadWriteLock.make()
        let readers = 0
        let writing = 0
        let violations = 0
        const check = Effect.sync(() => {
          if (writing > 1 || (writing === 1 && readers > 0)) violations++
        })
        const enter = (writer: boolean) => Effect.andThen(Effect.sync(() => writer ? writing++ : readers++), check)
        const leave = (writer: boolean) => Effect.sync(() => writer ? writing-- : readers--)
        const exit = yield* Leaks.expectNoLeaks(
          TestTime.run(TaskSet.run(tasks, (task, spec) => {
            const writer = writers[spec.id]!
            const guarded = Effect.acquireUseRelease(enter(writer), () => task, () => leave(writer))
            return writer ? lock.withWrite(guarded) : lock.withRead(guarded)
          })),
          lock.state
        )
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(violations, 0)
      }),
    { arbitrary: { runs: 40 } }
  )
})
