import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as ConcurrencyProbe from "../src/ConcurrencyProbe.js"
import * as Gen from "../src/Gen.js"
import * as TaskSet from "../src/TaskSet.js"
import * as TestTime from "../src/TestTime.js"

describe("ConcurrencyProbe", () => {
  it.effect("counts in-flight effects, their peak and the order of starts", () =>
    Effect.gen(function*() {
      const probe = yield* ConcurrencyProbe.make
      const fiber = yield* Effect.forkChild(
        Effect.forEach([1, 2, 3, 4], (i) => probe.track(Effect.sleep(i * 10), `task-${i}`), { concurrency: 2 })
      )
      yield* TestClock.adjust(5)
      assert.strictEqual(yield* probe.current, 2)
      assert.deepStrictEqual(yield* probe.starts, ["task-1", "task-2"])
      yield* TestClock.adjust(5) // task-1 ends at 10, task-3 starts
      assert.deepStrictEqual(yield* probe.starts, ["task-1", "task-2", "task-3"])
      yield* TestClock.adjust(100)
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* probe.snapshot, {
        current: 0,
        peak: 2,
        started: 4,
        finished: 4,
        starts: ["task-1", "task-2", "task-3", "task-4"]
      })
    }))

  it.effect("labels starts by index when no label is given", () =>
    Effect.gen(function*() {
      const probe = yield* ConcurrencyProbe.make
      yield* Effect.forEach([1, 2, 3], () => probe.track(Effect.void))
      assert.deepStrictEqual(yield* probe.starts, ["0", "1", "2"])
      assert.strictEqual(yield* probe.peak, 1)
    }))

  it.effect("stops counting an effect that fails or is interrupted", () =>
    Effect.gen(function*() {
      const probe = yield* ConcurrencyProbe.make
      const failed = yield* Effect.exit(probe.track(Effect.fail("boom")))
      assert.isTrue(Exit.isFailure(failed))
      const fiber = yield* Effect.forkChild(probe.track(Effect.never))
      yield* TestClock.adjust(0)
      assert.strictEqual(yield* probe.current, 1)
      yield* Fiber.interrupt(fiber)
      const snapshot = yield* probe.snapshot
      assert.strictEqual(snapshot.current, 0)
      assert.strictEqual(snapshot.finished, 2)
      assert.strictEqual(snapshot.peak, 1)
    }))

  it.effect.prop(
    "never sees more than the concurrency bound, and every start ends",
    [TaskSet.arbitrary({ maxTasks: 15, interruptions: false }), Gen.integer({ min: 1, max: 6 })],
    ([tasks, concurrency]) =>
      Effect.gen(function*() {
        const probe = yield* ConcurrencyProbe.make
        yield* TestTime.run(
          Effect.forEach(tasks, (task) => Effect.exit(probe.track(TaskSet.toEffect(task))), { concurrency })
        )
        const snapshot = yield* probe.snapshot
        assert.isAtMost(snapshot.peak, concurrency)
        assert.strictEqual(snapshot.current, 0)
        assert.strictEqual(snapshot.started, tasks.length)
        assert.strictEqual(snapshot.finished, tasks.length)
      }),
    { arbitrary: { runs: 50 } }
  )

  it.effect("isConcurrencyProbe tells a probe from anything else", () =>
    Effect.gen(function*() {
      assert.isTrue(ConcurrencyProbe.isConcurrencyProbe(yield* ConcurrencyProbe.make))
      assert.isFalse(ConcurrencyProbe.isConcurrencyProbe({ peak: 1 }))
    }))
})
