/**
 * Priorities on the BullMQ store where jobs go back to the queue: tasks handed back by a
 * shutdown (taken at once by an idle worker elsewhere, before the tasks of their priority), and
 * retried ones (behind the tasks of their priority).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { freshStore } from "./redis.js"

const eventually = (check: () => boolean) =>
  Effect.repeat(Effect.sync(check), { until: (ok) => ok, schedule: Schedule.spaced("5 millis") })

describe("BullMQ, tasks handed back", () => {
  // README, BullMQ "Stopping a worker": running tasks are handed back to the queue, "an idle
  // worker of another process takes them at once". Every task is a prioritized job (priority 0
  // too, as here), which BullMQ 6.7's `moveToWait` puts back without the marker that wakes idle
  // workers: without the store's own wake, a worker of another manager that waits for work slept
  // on until its block timed out (drainDelay, 5 s) before it took the task.
  it.live(
    "a task handed back by a shutdown is taken at once by an idle worker elsewhere",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        let starts = 0
        const job = TaskManager.define("job", {
          args: Schema.String,
          run: () => Effect.suspend(() => ++starts === 1 ? Effect.never : Effect.void)
        })
        const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        const id = yield* first.add(job, "t")
        yield* eventually(() => starts === 1)
        // an idle worker elsewhere, waiting for work
        const other = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        yield* Effect.sleep("500 millis")
        yield* first.shutdown({ drain: false })
        const handedBack = Date.now()
        yield* eventually(() => starts === 2).pipe(
          Effect.timeoutOrElse({ duration: "10 seconds", orElse: () => Effect.void })
        )
        const waited = Date.now() - handedBack
        yield* other.join
        assert.strictEqual((yield* other.status(id)).state, "succeeded")
        // taken as soon as it is back, not after the idle worker's block timed out (drainDelay 5 s)
        assert.isBelow(waited, 2_000, `the idle worker took the handed-back task after ${waited} ms`)
      })),
    30_000
  )

  // README, Priorities, "Put back": queued again "before the tasks of its priority"; "on BullMQ
  // they come back in no set order among themselves" — BullMQ gives a job it puts back the score
  // priority × 2^32 with a counter of 0 (pushBackJobWithPriority), the same for all of them, and
  // Redis orders equal scores by member, the job id: here "a-second" before "z-first".
  it.live(
    "tasks of one priority handed back by one shutdown run again before the tasks of their priority",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const started: Array<string> = []
        const job = TaskManager.define("job", {
          args: Schema.String,
          run: (label) => Effect.suspend(() => started.push(label) <= 2 ? Effect.never : Effect.void)
        })
        yield* Effect.scoped(Effect.gen(function*() {
          const first = yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
          yield* first.add(job, "first", { id: "z-first", priority: 2 })
          yield* eventually(() => started.length === 1)
          yield* first.add(job, "second", { id: "a-second", priority: 2 })
          yield* eventually(() => started.length === 2)
          yield* first.add(job, "third", { id: "m-third", priority: 2 })
          yield* first.shutdown({ drain: false })
        }))
        const second = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        yield* second.join
        assert.deepStrictEqual(started.slice(0, 2), ["first", "second"])
        assert.sameMembers(started.slice(2, 4), ["first", "second"])
        assert.deepStrictEqual(started.slice(4), ["third"])
      })),
    30_000
  )
})

describe("BullMQ, tasks retried", () => {
  // README, Priorities, Retries: "on BullMQ, a job waits out its delay, then queues again behind
  // the tasks of its priority".
  it.live(
    "a retried job queues again behind the tasks of its priority, after higher ones",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const started: Array<string> = []
        let gate = true
        const job = TaskManager.define("job", {
          args: Schema.String,
          run: (label) =>
            Effect.gen(function*() {
              started.push(label)
              if (label === "r" && started.filter((l) => l === "r").length === 1) {
                yield* eventually(() => !gate)
                return yield* Effect.fail("once")
              }
            }),
          retry: Schedule.recurs(1)
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        yield* manager.add(job, "r")
        yield* eventually(() => started.length === 1)
        yield* manager.add(job, "a")
        yield* manager.add(job, "low", { priority: -1 })
        yield* manager.add(job, "h", { priority: 5 })
        gate = false
        yield* manager.join
        assert.deepStrictEqual(started, ["r", "h", "a", "r", "low"])
      })),
    30_000
  )
})
