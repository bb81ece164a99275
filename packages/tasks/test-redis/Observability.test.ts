/**
 * What the BullMQ store no longer keeps to itself: the connection errors of its Redis clients
 * (logged through Effect's logger), and an outcome it could not read (published on `results` as
 * `unknown`, with the task id, instead of dropped).
 */
import { assert, describe, it } from "@effect/vitest"
import { RedisServer } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber, Option, Schema, Stream } from "effect"
import { Redis } from "ioredis"
import * as BullMQStore from "../src/BullMQStore.js"
import * as TaskManager from "../src/TaskManager.js"
import { capturedLogs, type LogLine } from "../test/fixtures/faultyStore.js"
import { freshStore, url } from "./redis.js"

const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })

/** Waits for `deferred`, failing with `what` after 20 seconds (what the test waits for never came). */
const within = <A>(deferred: Deferred.Deferred<A>, what: string) =>
  Effect.timeoutOrElse(Deferred.await(deferred), { duration: "20 seconds", orElse: () => Effect.fail(new Error(what)) })

/** A client of the test's own, closed with the scope. */
const client = Effect.acquireRelease(
  Effect.sync(() => new Redis(url())),
  (redis) => Effect.sync(() => redis.disconnect())
)

/** The first outcome on `results` once `write` has written an event (at most 20 seconds). */
const firstOutcomeAfter = (write: (redis: Redis, key: string, queue: string) => Promise<unknown>) =>
  Effect.gen(function*() {
    const store = yield* freshStore()
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 0, store })
    const results = yield* manager.subscribe
    const first = yield* Effect.forkChild(Stream.runHead(results))
    const redis = yield* client
    yield* Effect.promise(() => write(redis, `fiberkit-test:${store.queue}`, store.queue))
    return yield* Fiber.join(first).pipe(
      Effect.timeoutOrElse({
        duration: "20 seconds",
        orElse: () => Effect.fail(new Error("no outcome was published"))
      }),
      Effect.map(Option.getOrThrow)
    )
  })

describe("BullMQ store: connection errors and unreadable outcomes", () => {
  it.live(
    "a connection error is logged through Effect's logger (the same error once per interval), and so is the reconnection",
    () =>
      Effect.gen(function*() {
        const refused = yield* Deferred.make<LogLine>()
        const restored = yield* Deferred.make<LogLine>()
        const logs = capturedLogs((line) => {
          if (line.level === "WARN" && line.message.includes("ECONNREFUSED")) {
            Deferred.doneUnsafe(refused, Exit.succeed(line))
          }
          if (line.level === "INFO" && line.message.includes("restored")) {
            Deferred.doneUnsafe(restored, Exit.succeed(line))
          }
        })
        yield* Effect.scoped(Effect.gen(function*() {
          const server = yield* RedisServer.make
          const store = yield* BullMQStore.make({ url: server.url, queue: "errors", prefix: "fiberkit-test" })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          yield* manager.subscribe
          const down = Date.now()
          yield* server.stop("SIGKILL")
          // Redis comes back whatever happens, so that the store can close
          const line = yield* within(refused, "no connection error was logged").pipe(
            Effect.ensuring(Effect.orDie(server.start))
          )
          assert.include(line.message, "Redis connection error")
          assert.include(String(line.annotations.error), "ECONNREFUSED")
          const up = yield* within(restored, "the reconnection was not logged")
          const outage = Date.now() - down
          // the clients report ECONNREFUSED at every try to reconnect: logged at most once per 10 s
          const logged = logs.lines.filter((l) => l.message.includes("ECONNREFUSED")).length
          assert.isAtMost(logged, Math.ceil(outage / 10_000), `${logged} lines in ${outage} ms`)
          const errors = Number(/after (\d+) connection errors/.exec(up.message)?.[1])
          assert.isAtLeast(errors, logged)
        })).pipe(Effect.provide(logs.layer))
      }),
    60_000
  )

  it.live(
    "an outcome whose job is gone when its event is read is published as unknown, with its id",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const result = yield* firstOutcomeAfter((redis, key) =>
          redis.xadd(`${key}:events`, "*", "event", "completed", "jobId", "ghost", "returnvalue", "null")
        )
        assert.strictEqual(result.id, "ghost")
        assert(result.state === "unknown", result.state)
        const error = result.error
        assert.strictEqual(error._tag, "TaskOutcomeUnreadable")
        assert.strictEqual(error.id, "ghost")
        assert.strictEqual(error.event, "completed")
      })),
    60_000
  )

  it.live(
    "an outcome whose job cannot be read (its data is corrupt) is published as unknown once the reads give up",
    () => {
      const logs = capturedLogs()
      return Effect.scoped(Effect.gen(function*() {
        const result = yield* firstOutcomeAfter(async (redis, key) => {
          await redis.hset(`${key}:broken`, { name: "job", data: "{not json", timestamp: "1" })
          await redis.xadd(`${key}:events`, "*", "event", "failed", "jobId", "broken", "failedReason", "boom")
        })
        assert.strictEqual(result.id, "broken")
        assert(result.state === "unknown", result.state)
        const error = result.error
        assert.strictEqual(error._tag, "TaskOutcomeUnreadable")
        assert.include(error.message, "broken")
        assert.include(error.message, "JSON")
        const logged = logs.lines.filter((line) => line.level === "ERROR" && line.annotations.taskId === "broken")
        assert.strictEqual(logged.length, 1, "giving up is logged")
      })).pipe(Effect.provide(logs.layer))
    },
    60_000
  )
})
