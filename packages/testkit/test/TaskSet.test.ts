import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as Gen from "../src/Gen.js"
import * as TaskSet from "../src/TaskSet.js"
import * as TestTime from "../src/TestTime.js"

describe("TaskSet", () => {
  it.prop(
    "generates ids 0 … n-1 and durations and interruption points within bounds",
    [TaskSet.arbitrary({ minTasks: 2, maxTasks: 8, maxDuration: 50 })],
    ([tasks]) => {
      assert.deepStrictEqual(tasks.map((t) => t.id), tasks.map((_, i) => i))
      assert.isAtLeast(tasks.length, 2)
      assert.isAtMost(tasks.length, 8)
      for (const task of tasks) {
        assert.isAtLeast(task.duration, 0)
        assert.isAtMost(task.duration, 50)
        if (task.interruptAfter !== undefined) assert.isBelow(task.interruptAfter, task.duration)
      }
    }
  )

  it.prop(
    "generates neither failures nor interruptions when both are turned off",
    [TaskSet.arbitrary({ failures: false, interruptions: false })],
    ([tasks]) => {
      assert.isTrue(tasks.every((t) => !t.fails && t.interruptAfter === undefined))
    }
  )

  it.effect("draws failures and interruptions when they are allowed", () =>
    Effect.gen(function*() {
      const tasks = (yield* Gen.sample(TaskSet.arbitrary({ minTasks: 20, maxTasks: 20 }), 5, { seed: 7 })).flat()
      assert.isTrue(tasks.some((t) => t.fails))
      assert.isTrue(tasks.some((t) => t.interruptAfter !== undefined))
      assert.isTrue(tasks.some((t) => !t.fails && t.interruptAfter === undefined))
    }))

  it("documents its real defaults", () => {
    assert.deepStrictEqual(TaskSet.defaults, {
      minTasks: 1,
      maxTasks: 20,
      maxDuration: 1000,
      failures: true,
      interruptions: true
    })
  })

  it.effect.prop(
    "every task ends with the outcome its spec says",
    [TaskSet.arbitrary()],
    ([tasks]) =>
      Effect.gen(function*() {
        const exits = yield* TestTime.run(TaskSet.run(tasks, (task) => task))
        assert.deepStrictEqual(exits.map(TaskSet.outcomeOf), tasks.map(TaskSet.expectedOutcome))
      }),
    { arbitrary: { runs: 50 }, timeout: 30_000 }
  )

  it.effect("a task succeeds with its id or fails with TaskFailed after its duration", () =>
    Effect.gen(function*() {
      const ok = yield* TestTime.run(TaskSet.toEffect({ id: 3, duration: 20, fails: false, interruptAfter: undefined }))
      assert.strictEqual(ok, 3)
      const error = yield* Effect.flip(
        TestTime.run(TaskSet.toEffect({ id: 4, duration: 20, fails: true, interruptAfter: undefined }))
      )
      assert.deepStrictEqual(error, new TaskSet.TaskFailed({ id: 4 }))
      assert.strictEqual(error.message, "task 4 failed (as its spec says)")
    }))

  it("classifies every kind of exit", () => {
    assert.strictEqual(TaskSet.outcomeOf(Exit.succeed(1)), "success")
    assert.strictEqual(TaskSet.outcomeOf(Exit.fail("e")), "failure")
    assert.strictEqual(TaskSet.outcomeOf(Exit.interrupt(Effect.runSync(Effect.fiberId))), "interrupted")
    assert.strictEqual(TaskSet.outcomeOf(Exit.die("bug")), "defect")
  })
})
