/** The BullMQ store's checks that need no Redis: bad options, an unreachable server, its parts. */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Option, Redacted, Schedule } from "effect"
import { TestClock } from "effect/testing"
import * as net from "node:net"
import * as BullMQStore from "../src/BullMQStore.js"
import { ErrorLog } from "../src/internal/bullmq/errorLog.js"
import { EventBuffer, Overflow } from "../src/internal/bullmq/events.js"
import { retryDelay } from "../src/internal/retry.js"
import { capturedLogs } from "./fixtures/faultyStore.js"

/** A loopback port with nothing listening on it. */
const closedPort = Effect.callback<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

describe("BullMQStore without Redis", () => {
  it.live("an unreachable Redis fails RedisUnreachable after a bounded retry, not a hang; the password is hidden", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const started = Date.now()
      const error = yield* Effect.flip(Effect.scoped(BullMQStore.make({
        url: `redis://user:secret@127.0.0.1:${port}`,
        connectAttempts: 3,
        connectDelay: "50 millis"
      })))
      assert.strictEqual(error._tag, "RedisUnreachable")
      if (error._tag !== "RedisUnreachable") return
      assert.strictEqual(error.attempts, 3)
      assert.include(error.message, `127.0.0.1:${port}`)
      assert.notInclude(error.message, "secret")
      assert.match(error.message, /after 3 attempts: .*ECONNREFUSED/)
      assert.isBelow(Date.now() - started, 10_000)
    }))

  it.live("bad options fail InvalidOptions: a URL that is not redis://, zero lock duration, zero attempts", () =>
    Effect.gen(function*() {
      const notRedis = yield* Effect.flip(Effect.scoped(BullMQStore.make({ url: "http://127.0.0.1:6379" })))
      assert.strictEqual(notRedis._tag, "InvalidOptions")
      assert.include(notRedis.message, "url")
      const lock = yield* Effect.flip(Effect.scoped(BullMQStore.make({ url: "redis://127.0.0.1:1", lockDuration: 0 })))
      assert.include(lock.message, "lockDuration")
      const attempts = yield* Effect.flip(
        Effect.scoped(BullMQStore.make({ url: "redis://127.0.0.1:1", connectAttempts: 0 }))
      )
      assert.include(attempts.message, "connectAttempts")
    }))
})

describe("BullMQStore: a Redis URL is a secret", () => {
  // Failed before: InvalidOptions printed the URL it rejected, password and all
  it.live("a URL it rejects is shown with its password hidden", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(BullMQStore.make({ url: "http://user:hunter2@127.0.0.1:6379" })))
      assert.strictEqual(error._tag, "InvalidOptions")
      assert.notInclude(error.message, "hunter2")
      assert.notInclude(JSON.stringify(error), "hunter2")
    }))

  it.live("a Redacted URL, given or from FIBERKIT_REDIS_URL (read as Config.Redacted), is used; errors hide the password", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const url = `redis://user:hunter2@127.0.0.1:${port}`
      const given = yield* Effect.flip(Effect.scoped(BullMQStore.make({
        url: Redacted.make(url),
        connectAttempts: 1
      })))
      assert.strictEqual(given._tag, "RedisUnreachable")
      assert.include(given.message, `127.0.0.1:${port}`)
      assert.notInclude(given.message, "hunter2")
      const fromConfig = yield* Effect.flip(Effect.scoped(BullMQStore.make({ connectAttempts: 1 }))).pipe(
        Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ FIBERKIT_REDIS_URL: url })))
      )
      assert.strictEqual(fromConfig._tag, "RedisUnreachable")
      assert.notInclude(fromConfig.message, "hunter2")
    }))
})

describe("BullMQStore retries: the Schedule replayed in whichever worker ran the failed attempt", () => {
  const delays = (schedule: Schedule.Schedule<unknown, unknown>, failures: number, since: number) =>
    Effect.forEach(
      Array.from({ length: failures }, (_, i) => i + 1),
      (n) => Effect.map(retryDelay(schedule, "boom", n, since), Option.getOrUndefined)
    )

  it.effect("a count: recurs(2) retries twice, then stops", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* delays(Schedule.recurs(2), 4, 0), [0, 0, undefined, undefined])
    }))

  it.effect("delays: exponential doubles from one failure to the next", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* delays(Schedule.exponential("1 second"), 4, 0), [1000, 2000, 4000, 8000])
    }))

  it.effect("elapsed time counts from the add: upTo stops once that long has passed", () =>
    Effect.gen(function*() {
      const schedule = Schedule.exponential("1 second").pipe(Schedule.upTo({ duration: "1 minute" }))
      yield* TestClock.setTime(10_000)
      const early = yield* delays(schedule, 3, 9_000)
      assert.deepStrictEqual(early, [1000, 2000, 4000])
      // the same failures, a minute and more after the add: the schedule is over
      yield* TestClock.setTime(80_000)
      assert.isUndefined((yield* delays(schedule, 3, 9_000))[2])
    }))
})

describe("BullMQStore connection errors", () => {
  it.effect("the same error is logged once per interval, with how many were left out; another error at once; the reconnection with the count", () => {
    const logs = capturedLogs()
    return Effect.gen(function*() {
      const errors = new ErrorLog(yield* Effect.context<never>(), 10_000)
      const refused = new Error("connect ECONNREFUSED 127.0.0.1:1")
      for (let i = 0; i < 5; i++) yield* errors.report("client", refused)
      yield* errors.report("worker", new Error("Connection is closed."))
      yield* TestClock.adjust("9999 millis")
      yield* errors.report("queue", refused)
      yield* TestClock.adjust("1 millis")
      yield* errors.report("client", refused)
      yield* errors.restored("client")
      yield* errors.restored("client")
      assert.deepStrictEqual(logs.lines.map((line) => [line.level, line.message]), [
        ["WARN", "Redis connection error (client), reconnecting: connect ECONNREFUSED 127.0.0.1:1"],
        ["WARN", "Redis connection error (worker), reconnecting: Connection is closed."],
        [
          "WARN",
          "Redis connection error (client), reconnecting: connect ECONNREFUSED 127.0.0.1:1 (and 5 more times since it was last logged)"
        ],
        ["INFO", "Redis connection restored (client) after 8 connection errors"]
      ])
      assert.deepStrictEqual(logs.lines[0]!.annotations, {
        source: "client",
        error: "connect ECONNREFUSED 127.0.0.1:1"
      })
    }).pipe(Effect.provide(logs.layer))
  })

  it.effect("the events buffer holds at most its capacity; the drop is marked where it began; the end mark always passes", () =>
    Effect.gen(function*() {
      const buffer = yield* EventBuffer.make(2)
      for (const id of ["a", "b", "c", "d"]) buffer.offer(["completed", id])
      buffer.offer(["end", ""])
      const taken = []
      for (let i = 0; i < 4; i++) taken.push(yield* buffer.take())
      assert.deepStrictEqual(taken, [["completed", "a"], ["completed", "b"], Overflow, ["end", ""]])
      // taken the mark, the buffer queues again
      buffer.offer(["failed", "e"])
      assert.deepStrictEqual(yield* buffer.take(), ["failed", "e"])
    }))
})
