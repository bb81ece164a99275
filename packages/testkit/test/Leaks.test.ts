import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Semaphore } from "effect"
import * as Gen from "../src/Gen.js"
import * as Leaks from "../src/Leaks.js"
import * as TaskSet from "../src/TaskSet.js"
import * as TestTime from "../src/TestTime.js"

describe("Leaks", () => {
  it.effect("returns the run's exit when the state is restored", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(3)
      const exit = yield* Leaks.expectNoLeaks(semaphore.withPermits(2)(Effect.fail("boom")), semaphore.release(0))
      assert.deepStrictEqual(exit, Exit.fail("boom"))
    }))

  it.effect("fails with LeakDetected, naming both states, when a permit is never given back", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(3)
      const error = yield* Effect.flip(semaphore.take(1).pipe(Leaks.expectNoLeaks(semaphore.release(0))))
      assert.strictEqual(error._tag, "LeakDetected")
      assert.strictEqual(error.message, "state not restored after the run: before 3, after 2")
    }))

  it.effect("compares object snapshots structurally", () =>
    Effect.gen(function*() {
      let size = 0
      const observe = Effect.sync(() => ({ size, items: Array.from({ length: size }, (_, i) => i) }))
      const exit = yield* Leaks.expectNoLeaks(
        Effect.sync(() => size++).pipe(Effect.ensuring(Effect.sync(() => size--))),
        observe
      )
      assert.isTrue(Exit.isSuccess(exit))
      const error = yield* Effect.flip(Leaks.expectNoLeaks(Effect.sync(() => size++), observe))
      assert.deepStrictEqual(error.after, { size: 1, items: [0] })
    }))

  it.effect("settle lets an interrupted waiter leave before the state is read", () =>
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(1)
      const waiter = yield* Effect.forkChild(semaphore.withPermits(1)(Effect.never))
      yield* Leaks.settle
      assert.strictEqual(yield* semaphore.release(0), 0)
      yield* Effect.forkDetach(Fiber.interrupt(waiter))
      yield* Leaks.settle
      assert.strictEqual(yield* semaphore.release(0), 1)
    }))

  it.effect.prop(
    "a semaphore gives back every permit whatever its holders and waiters do",
    [TaskSet.arbitrary({ maxTasks: 12, maxDuration: 100 }), Gen.integer({ min: 1, max: 4 })],
    ([tasks, permits]) =>
      Effect.gen(function*() {
        const semaphore = yield* Semaphore.make(permits)
        const exit = yield* Leaks.expectNoLeaks(
          TestTime.run(TaskSet.run(tasks, (task) => semaphore.withPermits(1)(task))),
          semaphore.release(0)
        )
        assert.isTrue(Exit.isSuccess(exit))
        assert.isAtLeast(yield* Clock.currentTimeMillis, 0)
      }),
    { arbitrary: { runs: 40 } }
  )
})
