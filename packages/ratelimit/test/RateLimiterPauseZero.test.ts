/**
 * From the eighth review (failed before its fix): `pause(0)` was not a no-op when the Clock is
 * part-way through a millisecond.
 *
 * `pauseOf` rounds the pause's start up to the next whole millisecond (the sixth review's fix, so
 * that a pause never ends early) and then adds the duration — it did for a duration of 0 too. A pause(0)
 * asked 0.5 ms into a millisecond set `pausedUntil` to the next millisecond: `stats.pausedFor`
 * read 1, and a request that could start at once waited for the next millisecond. With a live
 * clock the monotonic time is almost never a whole millisecond, so this is the usual case.
 *
 * Promises (README, "Feedback from the server"; JSDoc of `RateLimiter.pause`): "A pause only
 * extends: it ends at the later of the current end and `now + duration`, so a shorter pause asked
 * for later, or `pause(0)`, changes nothing." And for `HttpLimiter.limitByHost`'s
 * `maxRetryAfter` (README): "`0` turns the pauses off" — it pauses the host with `pause(host, 0)`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Fiber } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import * as HttpLimiter from "../src/HttpLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

describe("pause(0) within a millisecond", () => {
  it.effect("pause(0) 0.5 ms into a millisecond leaves nothing paused", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
      yield* TestClock.adjust(Duration.micros(500n))
      yield* limiter.pause(0)
      // failed with 1: pause(0) paused the limiter until the next whole millisecond
      assert.strictEqual((yield* limiter.stats).pausedFor, 0, "pause(0) changed the limiter")
    }))

  it.effect("a request right after pause(0) starts at once, as it would without the pause(0)", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
      yield* TestClock.adjust(Duration.micros(500n))
      const before = yield* Clock.monotonicTimeNanos
      yield* limiter.pause(0)
      const started = yield* Effect.forkChild(Effect.andThen(limiter.take(), Clock.monotonicTimeNanos))
      yield* TestClock.adjust("1 second")
      // failed with 1,000,000 ns later: it waited for the next whole millisecond (and slept from the fraction)
      assert.strictEqual((yield* Fiber.join(started)) - before, 0n, "pause(0) delayed a free start")
    }))

  it.effect("limitByHost with maxRetryAfter 0: a 429 with Retry-After pauses nothing", () =>
    Effect.gen(function*() {
      const tooMany = HttpClient.make((request) =>
        Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response("slow down", { status: 429, headers: { "retry-after": "5" } })
          )
        )
      )
      const perHost = yield* KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second" })
      const client = HttpLimiter.limitByHost(tooMany, perHost, { maxRetryAfter: 0 })
      yield* TestClock.adjust(Duration.micros(500n))
      yield* Effect.scoped(client.get("https://api.example.com/items"))
      // failed with 1: the host was paused until the next whole millisecond
      assert.strictEqual((yield* perHost("api.example.com").stats).pausedFor, 0, "maxRetryAfter 0 paused the host")
    }))
})
