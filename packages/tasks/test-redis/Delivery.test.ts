/**
 * What reaches the BullMQ store's managers when Redis's pub/sub or retention gets in the way: a
 * cancel sent while the workers' subscriber reconnects, outcomes of jobs that `retain` removed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Schema, Stream } from "effect"
import { Redis } from "ioredis"
import * as TaskManager from "../src/TaskManager.js"
import { freshStore, url } from "./redis.js"

describe("BullMQStore delivery", () => {
  // #20 B2: a cancel is a pub/sub message, which Redis does not keep: sent while the worker's
  // subscriber reconnected (here: CLIENT KILL TYPE pubsub), it was lost, `cancel` answered true
  // and the task ran on.
  it.live(
    "a cancel sent while the workers' subscriber reconnects still stops the task",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const started = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          run: () => Effect.zipRight(Deferred.succeed(started, undefined), Effect.never)
        })
        const manager = yield* TaskManager.make({ tasks: [job], workers: 1, store })
        const id = yield* manager.add(job, 1)
        yield* Deferred.await(started)
        const admin = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(url())),
          (redis) => Effect.sync(() => redis.disconnect())
        )
        yield* Effect.promise(() => admin.call("CLIENT", "KILL", "TYPE", "pubsub"))
        const cancelled = yield* manager.cancel(id).pipe(
          Effect.timeoutFail({
            duration: "10 seconds",
            onTimeout: () => new Error("the cancel never reached the task")
          })
        )
        assert.isTrue(cancelled)
        assert.strictEqual((yield* manager.status(id)).state, "cancelled")
      })),
    30_000
  )

  // #20 B3: with `retain: { count: 1 }` the jobs are removed as they finish, before their
  // outcome is read: every outcome is still published once — or as unknown, the loss reported.
  it.live(
    "outcomes of jobs that retain removed are published once each, as read or as unknown",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore({ retain: { count: 1 } })
        const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
        const manager = yield* TaskManager.make({ tasks: [job], workers: 4, store })
        const results = yield* manager.subscribe
        const collected = yield* Effect.fork(Stream.runCollect(Stream.take(results, 20)))
        const ids = yield* manager.addAll(job, Array.from({ length: 20 }, (_, i) => i))
        yield* manager.join
        const outcomes = Chunk.toReadonlyArray(yield* Fiber.join(collected))
        assert.deepStrictEqual(outcomes.map((outcome) => outcome.id).sort(), [...ids].sort())
        for (const outcome of outcomes) {
          if (outcome.state === "succeeded") continue
          assert.strictEqual(outcome.state, "unknown")
          assert.strictEqual((outcome.error as { _tag: string })._tag, "TaskOutcomeUnreadable")
        }
      })),
    30_000
  )
})
