/**
 * Outcomes typed by their definition, and retry / timeout set per definition (issue 23, point 4).
 */
import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Data, Effect, Fiber, Schedule, Schema, Stream } from "effect"
import { TaskDefect, TaskTimeout } from "../src/Errors.js"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskResult from "../src/TaskResult.js"
import * as TaskStore from "../src/TaskStore.js"

class Busy extends Data.TaggedError("Busy")<{ readonly retryable: boolean }> {}

describe("TaskManager: typed outcomes, per-definition retry and timeout", () => {
  it.effect("a definition's own retry is used instead of the manager's, and sees the task's typed error", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      let calls = 0
      const busy = TaskManager.define("busy", {
        args: Schema.Number,
        run: (failures: number) =>
          Effect.suspend(() =>
            ++calls <= failures ? Effect.fail(new Busy({ retryable: calls < 3 })) : Effect.succeed(calls)
          ),
        // typed: its input is Busy | TaskTimeout, so it can read `retryable`
        retry: Schedule.recurs(10).pipe(
          Schedule.setInputType<Busy | TaskTimeout>(),
          Schedule.while(({ input }) => {
            seen.push(input._tag)
            return input._tag === "Busy" && input.retryable
          })
        )
      })
      const plain = TaskManager.define("plain", {
        args: Schema.Number,
        run: () => Effect.fail(new Busy({ retryable: true }))
      })
      const manager = yield* TaskManager.make({ tasks: [busy, plain], concurrency: 1, retry: Schedule.recurs(1) })
      const results = yield* manager.subscribe
      const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 2)))
      const first = yield* manager.add(busy, 5) // fails with retryable true, true, then false: stops there
      const second = yield* manager.add(plain, 0) // the manager's retry: 2 attempts
      yield* TestTime.run(manager.join)
      assert.deepStrictEqual(seen, ["Busy", "Busy", "Busy"])
      assert.strictEqual((yield* manager.status(first)).attempts, 3)
      assert.strictEqual((yield* manager.status(second)).attempts, 2)
      const outcomes = yield* Fiber.join(collected)
      const busyOutcome = outcomes.find((r) => r.id === first)!
      assert(busyOutcome.state === "failed" && busyOutcome.name === "busy", busyOutcome.state)
      // typed: the task's own error, or one of the manager's
      const error: Busy | TaskResult.TaskResult.ManagerFailure = busyOutcome.error
      assert.deepStrictEqual(error, new Busy({ retryable: false }))
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("a definition's own timeout is used instead of the manager's", () =>
    Effect.gen(function*() {
      const slow = TaskManager.define("slow", {
        args: Schema.Number,
        run: (ms) => Effect.sleep(ms),
        timeout: "50 millis"
      })
      const other = TaskManager.define("other", { args: Schema.Number, run: (ms) => Effect.sleep(ms) })
      const manager = yield* TaskManager.make({ tasks: [slow, other], concurrency: 2, timeout: "1 second" })
      const results = yield* manager.subscribe
      const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 2)))
      const a = yield* manager.add(slow, 100) // over its own 50 ms
      const b = yield* manager.add(other, 100) // within the manager's second
      yield* TestTime.run(manager.join)
      const outcomes = yield* Fiber.join(collected)
      const timedOut = outcomes.find((r) => r.id === a)!
      assert(timedOut.state === "failed", timedOut.state)
      assert.instanceOf(timedOut.error, TaskTimeout)
      assert.strictEqual(timedOut.error._tag === "TaskTimeout" ? timedOut.error.timeoutMillis : 0, 50)
      assert.strictEqual(outcomes.find((r) => r.id === b)!.state, "succeeded")
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("a definition's timeout out of range fails make with InvalidOptions naming it", () =>
    Effect.gen(function*() {
      const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed, timeout: -5 })
      const invalid = yield* Effect.flip(TaskManager.make({ tasks: [job] }))
      assert(invalid._tag === "InvalidOptions", invalid._tag)
      assert.strictEqual(invalid.field, `tasks["job"].timeout`)
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it("a definition whose retry cannot take its errors is refused where it is used (checked by tsc)", () => {
    const narrow = TaskManager.define("narrow", {
      args: Schema.Number,
      run: () => Effect.fail(new Busy({ retryable: true })),
      retry: Schedule.recurs(1).pipe(Schedule.setInputType<Busy>()) // no TaskTimeout
    })
    // @ts-expect-error the retry Schedule does not accept TaskTimeout
    const refused = TaskManager.make({ tasks: [narrow] })
    assert.isTrue(Effect.isEffect(refused))
  })

  it.effect("a defect ends the task with a TaskDefect that keeps what it died with; a value is typed", () =>
    Effect.gen(function*() {
      const boom = new Error("boom")
      const dies = TaskManager.define("dies", { args: Schema.Void, run: () => Effect.die(boom) })
      const counts = TaskManager.define("counts", { args: Schema.String, run: (s) => Effect.succeed(s.length) })
      const manager = yield* TaskManager.make({ tasks: [dies, counts], concurrency: 1 })
      const results = yield* manager.subscribe
      const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 2)))
      const died = yield* manager.add(dies, undefined)
      yield* manager.add(counts, "four")
      yield* TestTime.run(manager.join)
      const outcomes = yield* Fiber.join(collected)
      const defect = outcomes.find((r) => r.id === died)!
      assert(defect.state === "failed", defect.state)
      assert.instanceOf(defect.error, TaskDefect)
      assert.strictEqual(defect.error._tag === "TaskDefect" ? defect.error.defect : undefined, boom)
      assert.strictEqual(defect.error.message, `task ${died} died: Error: boom`)
      const counted = outcomes.find((r) => r.name === "counts")!
      assert(counted.state === "succeeded" && counted.name === "counts", counted.state)
      const length: number = counted.value // typed by the definition: a compile error if it were unknown
      assert.strictEqual(length, 4)
    }).pipe(Effect.provide(TaskStore.layerMemory)))
})
