/**
 * What reaches the BullMQ store's managers when Redis's pub/sub or retention gets in the way: a
 * cancel sent while the workers' subscriber reconnects, outcomes of jobs that `retain` removed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Result, Schedule, Schema, SchemaGetter, Stream } from "effect"
import { Redis } from "ioredis"
import * as TaskManager from "../src/TaskManager.js"
import { freshStore, url } from "./redis.js"

describe("BullMQStore delivery", () => {
  // #20 B2: a cancel is a pub/sub message, which Redis does not keep: sent while the worker's
  // subscriber reconnected (here: its connection killed by CLIENT KILL), it was lost, `cancel`
  // answered true and the task ran on. Only this store's subscriber is killed: the other test
  // files share the Redis, and their subscribers must not reconnect under them.
  it.live(
    "a cancel sent while the workers' subscriber reconnects still stops the task",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const queue = `test-${crypto.randomUUID()}`
        const store = yield* freshStore({ queue })
        const started = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          run: () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        const id = yield* manager.add(job, 1)
        yield* Deferred.await(started)
        const admin = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(url())),
          (redis) => Effect.sync(() => redis.disconnect())
        )
        const clients = String(yield* Effect.promise(() => admin.call("CLIENT", "LIST", "TYPE", "pubsub")))
        const ours = clients.split("\n").filter((line) =>
          line.includes(` name=fiberkit-cancels:fiberkit-test:${queue} `)
        )
        assert.strictEqual(ours.length, 1, "one cancel subscriber, named after its queue")
        const clientId = /\bid=(\d+)/.exec(ours[0]!)![1]!
        assert.strictEqual(yield* Effect.promise(() => admin.call("CLIENT", "KILL", "ID", clientId)), 1)
        const cancelled = yield* manager.cancel(id).pipe(
          Effect.timeoutOrElse({
            duration: "10 seconds",
            orElse: () => Effect.fail(new Error("the cancel never reached the task"))
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
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 4, store })
        const results = yield* manager.subscribe
        const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 20)))
        const ids = yield* manager.addAll(job, Array.from({ length: 20 }, (_, i) => i))
        yield* manager.join
        const outcomes = yield* Fiber.join(collected)
        assert.deepStrictEqual(outcomes.map((outcome) => outcome.id).sort(), [...ids].sort())
        for (const outcome of outcomes) {
          if (outcome.state === "succeeded") continue
          assert(outcome.state === "unknown", outcome.state)
          assert.strictEqual(outcome.error._tag, "TaskOutcomeUnreadable")
        }
      })),
    30_000
  )

  // Outside review: a job waiting out its retry delay was marked, cancel answered true, and
  // nothing ended until the delay ran out (status said queued, join waited a minute).
  it.live(
    "a cancel during a retry delay ends the task at once: cancelled, published, join returns",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.fail("flaky") })
        const manager = yield* TaskManager.make({
          tasks: [job],
          concurrency: 1,
          store,
          retry: Schedule.spaced("1 minute")
        })
        const first = yield* Effect.forkChild(Stream.runCollect(Stream.take(yield* manager.subscribe, 1)))
        const id = yield* manager.add(job, 1)
        // the first attempt failed: the task waits a minute for its retry
        while ((yield* manager.status(id)).attempts < 1 || (yield* manager.status(id)).state !== "queued") {
          yield* Effect.sleep("10 millis")
        }
        assert.isTrue(yield* manager.cancel(id))
        const outcome = yield* Fiber.join(first).pipe(
          Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.fail(new Error("no outcome")) })
        )
        assert.deepStrictEqual(outcome.map((result) => result.state), ["cancelled"])
        assert.strictEqual((yield* manager.status(id)).state, "cancelled")
        yield* manager.join.pipe(
          Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.fail(new Error("join hung")) })
        )
      })),
    30_000
  )

  // #20 (suspected, measured): the events QueueEvents read waited for the reader in an unbounded
  // queue; a reader slower than the events (here: a value Schema that takes 20 ms to decode)
  // held them all. At most resultsBuffer wait now, and the subscribers hear of the loss.
  it.live(
    "a reader that falls resultsBuffer events behind fails its streams ResultsOverflow; nothing is lost in Redis",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const SlowToRead = Schema.Number.pipe(Schema.decodeTo(Schema.Number, {
          decode: SchemaGetter.transformEffect((n: number) => Effect.as(Effect.sleep("20 millis"), n)),
          encode: SchemaGetter.passthrough()
        }))
        const job = TaskManager.define("job", { args: Schema.Number, success: SlowToRead, run: Effect.succeed })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 8, store, resultsBuffer: 5 })
        const results = yield* manager.subscribe
        const reading = yield* Effect.forkChild(Stream.runCollect(results).pipe(Effect.result))
        const ids = yield* manager.addAll(job, Array.from({ length: 40 }, (_, i) => i))
        yield* manager.join
        const read = yield* Fiber.join(reading).pipe(
          Effect.timeoutOrElse({
            duration: "10 seconds",
            orElse: () => Effect.fail(new Error("the stream never ended"))
          })
        )
        assert.isTrue(Result.isFailure(read), "the stream failed")
        if (Result.isFailure(read)) assert.strictEqual(read.failure._tag, "ResultsOverflow")
        for (const id of ids) assert.strictEqual((yield* manager.status(id)).state, "succeeded")
      })),
    30_000
  )

  // Outside review: a worker stopping as the cancel came handed the task back, with the mark on
  // it; status said cancelled, but cancel waited for an end only a next worker would write.
  it.live("a cancel of a task its stopping worker hands back returns true", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      const gate = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.Number,
        run: () => Effect.uninterruptible(Deferred.await(gate))
      })
      const worker = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      const producer = yield* TaskManager.make({ tasks: [job], concurrency: 0, store })
      const id = yield* producer.add(job, 1)
      while ((yield* producer.status(id)).state !== "running") yield* Effect.sleep("5 millis")
      const stopping = yield* Effect.forkChild(worker.shutdown())
      yield* Effect.sleep("50 millis")
      const cancelling = yield* Effect.forkChild(producer.cancel(id))
      yield* Effect.sleep("200 millis")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(stopping)
      const answer = yield* Fiber.join(cancelling).pipe(
        Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.fail(new Error("cancel never returned")) })
      )
      assert.deepStrictEqual([answer, (yield* producer.status(id)).state], [true, "cancelled"])
    })), 30_000)
})
