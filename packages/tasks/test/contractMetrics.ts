/**
 * The TaskManager contract for metrics (issue 26, point 6): under `Telemetry.layer()` a manager's
 * gauges come back to 0 once its tasks have ended, and each outcome is counted once, by task.
 * Live clock, every store (on BullMQ, the manager both adds and runs: one process).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { Effect, Metric, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

class Nope extends Schema.TaggedError<Nope>()("Nope", {}) {}

export const contractMetrics = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, metrics: ${name}`, () => {
    it.live("pending and running back to 0, one outcome per task, wait and run times recorded", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = TaskManager.define("measured", {
            args: Schema.Number,
            failure: Nope,
            run: (n) => Effect.andThen(Effect.sleep("5 millis"), n % 3 === 0 ? Effect.fail(new Nope()) : Effect.void)
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store, name: "metered" })
          yield* manager.addAll(job, [1, 2, 3, 4, 5, 6])
          const later = yield* manager.add(job, 7, { delay: "1 hour" })
          assert.isTrue(yield* manager.cancel(later))
          yield* within("join", manager.join)
          const values = Telemetry.values("TaskManager", "metered", "measured")
          // (on BullMQ the outcomes arrive by events: wait for the last)
          yield* eventually("every outcome counted", Effect.map(values, (v) => v.outcomes.succeeded === 4))
          const now = yield* values
          assert.strictEqual(now.pending, 0)
          assert.strictEqual(now.running, 0)
          assert.deepStrictEqual([now.outcomes.succeeded, now.outcomes.failed, now.outcomes.interrupted], [4, 2, 1])
          assert.strictEqual(now.runTime.count, 6)
          assert.strictEqual(now.waitTime.count, 6)
          assert.isAtLeast(now.runTime.min, 4)
          // the manager's limit, its concurrency, is on its series without `task` (none on the task's)
          assert.strictEqual((yield* Telemetry.values("TaskManager", "metered")).limit, 2)
          assert.isUndefined(now.limit)
        })).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer())))

    // Dashboard review regression test (it failed before the fix): a replay queued the task again
    // without counting it, so its take left `pending` at −1 (the dashboard showed "waiting −1")
    it.live("a replayed dead letter counts as waiting again: pending back to 0 once it has run", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const attempts = new Map<number, number>()
          const job = TaskManager.define("flaky", {
            args: Schema.Number,
            failure: Nope,
            run: (n) => {
              attempts.set(n, (attempts.get(n) ?? 0) + 1)
              return attempts.get(n) === 1 ? Effect.fail(new Nope()) : Effect.void
            }
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store, name: "replayed" })
          const [one, two] = yield* manager.addAll(job, [1, 2])
          yield* within("join", manager.join)
          const values = Telemetry.values("TaskManager", "replayed", "flaky")
          yield* eventually("both failed", Effect.map(values, (v) => v.outcomes.failed === 2))
          assert.isTrue(yield* manager.retry(one!))
          yield* eventually("the replay ran", Effect.map(values, (v) => v.outcomes.succeeded === 1))
          assert.strictEqual((yield* values).pending, 0)
          assert.strictEqual(yield* manager.retryAll(), 1)
          yield* within("join", manager.join)
          yield* eventually("the second replay ran", Effect.map(values, (v) => v.outcomes.succeeded === 2))
          const now = yield* values
          assert.deepStrictEqual([now.pending, now.running, now.outcomes.failed], [0, 0, 2])
          assert.strictEqual((yield* manager.status(two!)).state, "succeeded")
        })).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer())))
  })
