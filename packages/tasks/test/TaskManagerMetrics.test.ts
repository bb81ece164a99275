/**
 * The TaskManager's metrics (`Telemetry`, source `TaskManager`, by task): pending and running
 * move with the tasks and come back to 0; wait and run times on the TestClock; each outcome once
 * (a cancel of a queued task counts as `interrupted`); a retried task is one outcome; off by default.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Metric, Schedule, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}

const observed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.scoped(effect).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

describe("TaskManager metrics", () => {
  it.effect("pending, running, wait and run times, outcomes — back to 0 once every task has ended", () =>
    observed(Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      let tries = 0
      const job = TaskManager.define("job", {
        args: Schema.String,
        failure: Boom,
        run: (kind) =>
          kind === "slow"
            ? Effect.andThen(Deferred.await(gate), Effect.sleep("300 millis"))
            : kind === "flaky"
            ? Effect.suspend(() => ++tries === 1 ? Effect.fail(new Boom()) : Effect.void)
            : Effect.fail(new Boom())
      })
      const manager = yield* TaskManager.make({
        tasks: [job],
        concurrency: 1,
        store: yield* TaskStore.memory,
        name: "mailer",
        retry: Schedule.max([Schedule.spaced("10 millis"), Schedule.recurs(1)]).pipe(
          Schedule.setInputType<unknown>()
        )
      })
      const values = Telemetry.values("TaskManager", "mailer", "job")
      // its limit, as made: its concurrency, on the manager's series (the task's has none)
      assert.strictEqual((yield* Telemetry.values("TaskManager", "mailer")).limit, 1)
      assert.isUndefined((yield* values).limit)
      yield* manager.add(job, "slow")
      yield* Effect.repeat(Effect.yieldNow, { times: 20 })
      const queued = yield* manager.add(job, "broken", { delay: "100 millis" })
      yield* manager.add(job, "flaky")
      yield* manager.add(job, "doomed")
      let now = yield* values
      assert.strictEqual(now.running, 1)
      assert.strictEqual(now.pending, 3)
      assert.isTrue(yield* manager.cancel(queued))
      now = yield* values
      assert.strictEqual(now.pending, 2)
      assert.strictEqual(now.outcomes.interrupted, 1)
      yield* TestClock.adjust("50 millis")
      yield* Deferred.succeed(gate, undefined)
      yield* TestTime.run(manager.join)
      now = yield* values
      assert.strictEqual(now.pending, 0)
      assert.strictEqual(now.running, 0)
      // the flaky task failed once and was retried: one outcome, succeeded; the doomed one failed after its retry
      assert.deepStrictEqual(
        [now.outcomes.succeeded, now.outcomes.failed, now.outcomes.interrupted],
        [2, 1, 1]
      )
      assert.strictEqual(now.runTime.count, 3)
      // the slow task ran 300 ms after its gate opened at 50 ms; the two others waited for it
      assert.isAtLeast(now.runTime.max, 300)
      assert.strictEqual(now.waitTime.count, 3)
      assert.isAtLeast(now.waitTime.max, 350)
    })))

  it.effect("off by default: a manager made without Telemetry.layer publishes nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.void })
      const manager = yield* TaskManager.make({
        tasks: [job],
        concurrency: 1,
        store: yield* TaskStore.memory,
        name: "quiet"
      })
      yield* manager.add(job, 1)
      yield* manager.join
      const now = yield* Telemetry.values("TaskManager", "quiet", "job")
      assert.strictEqual(now.outcomes.succeeded, 0)
      assert.strictEqual(now.waitTime.count, 0)
      assert.isUndefined((yield* Telemetry.values("TaskManager", "quiet")).limit)
    })).pipe(Effect.provideService(Metric.MetricRegistry, new Map())))

  // Dashboard review regression test (it failed before the fix): a manager started on a store
  // with tasks a previous run left took them without having counted them, so `pending` read −1
  it.effect("tasks left by a previous run wait in the metrics of the manager that takes them over", () =>
    observed(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const gate = yield* Deferred.make<void>()
      const job = TaskManager.define("held", { args: Schema.Number, run: () => Deferred.await(gate) })
      // the previous run: added three tasks, stopped (the one it ran goes back), made without metrics
      yield* Effect.scoped(Effect.gen(function*() {
        const before = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, name: "before" })
        yield* before.addAll(job, [1, 2, 3])
      })).pipe(Effect.provide(Telemetry.layer({ enabled: false })))
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, name: "restarted" })
      const values = Telemetry.values("TaskManager", "restarted", "held")
      yield* TestTime.run(Effect.void)
      assert.deepStrictEqual([(yield* values).pending, (yield* values).running], [2, 1])
      yield* Deferred.succeed(gate, undefined)
      yield* manager.join
      assert.deepStrictEqual([(yield* values).pending, (yield* values).outcomes.succeeded], [0, 3])
    })))
})
