/**
 * `Fetch.fetchAll` without sockets: clients made in Effect, on the TestClock (concurrency, order of
 * the outcomes, durations, retries, early end, defects); and `Fetch.isRetryable`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as RateLimiter from "@fiberkit/ratelimit/RateLimiter"
import { TestTime } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Result, Schedule, Stream } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { ConnectionFailed, FetchTimeout, HttpStatusError, InvalidUrl } from "../src/Errors.js"
import * as Fetch from "../src/Fetch.js"
import { collect, urlOf } from "./outcomes.js"

/** A response with `status` and the body "ok" streamed in Effect (no promises: virtual time alone orders things). */
const respond = (request: HttpClientRequest.HttpClientRequest, status = 200): HttpClientResponse.HttpClientResponse =>
  Object.create(HttpClientResponse.fromWeb(request, new Response("ok", { status })), {
    stream: { value: Stream.make(new Uint8Array([111, 107])) }
  })

/** A client without sockets, on the TestClock: each URL answers after its delay. */
const virtualClient = (delayMillis: (url: string) => number) =>
  HttpClient.make((request) => Effect.as(Effect.sleep(delayMillis(request.url)), respond(request)))

describe("Fetch.fetchAll on virtual time", () => {
  it.effect("concurrency: at most `concurrency` requests at once", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let peak = 0
      const client = HttpClient.make((request) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            inFlight++
            peak = Math.max(peak, inFlight)
          }),
          () => Effect.as(Effect.sleep("1 second"), respond(request)),
          () => Effect.sync(() => inFlight--)
        )
      )
      const urls = Array.from({ length: 10 }, (_, i) => `http://h${i % 3}.test/${i}`)
      const outcomes = yield* TestTime.run(
        collect(urls, { concurrency: 3 }).pipe(Effect.provideService(HttpClient.HttpClient, client))
      )
      assert.strictEqual(outcomes.length, 10)
      assert.strictEqual(peak, 3)
    }))

  it.effect("outcomes come as each URL ends: a slow first URL does not hold back the others", () =>
    Effect.gen(function*() {
      const urls = ["http://x.test/slow", "http://x.test/1", "http://x.test/2", "http://x.test/3", "http://x.test/4"]
      const outcomes = yield* TestTime.run(
        collect(urls, { concurrency: 2 }).pipe(
          Effect.provideService(HttpClient.HttpClient, virtualClient((url) => url.endsWith("slow") ? 10_000 : 1000))
        )
      )
      // the fast ones end at 1, 2, 3 and 4 s on the second slot, the slow one at 10 s
      assert.deepStrictEqual(outcomes.map(urlOf), [...urls.slice(1), urls[0]])
    }))

  it.effect("durationMillis starts with the first attempt, not with the wait for the rate limiter", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      const urls = ["http://x.test/a", "http://x.test/b"]
      const outcomes = yield* TestTime.run(
        collect(urls, { concurrency: 2, rateLimit: limiter }).pipe(
          Effect.provideService(HttpClient.HttpClient, virtualClient(() => 0))
        )
      )
      // the answers are immediate: each attempt takes no virtual time
      assert.deepStrictEqual(outcomes.map((o) => Result.map(o, (r) => r.durationMillis)), [
        Result.succeed(0),
        Result.succeed(0)
      ])
    }))

  it.effect("retries follow the schedule on the clock; a retried request is a new attempt", () =>
    Effect.gen(function*() {
      let calls = 0
      const client = HttpClient.make((request) =>
        Effect.sync(() => {
          calls++
          return respond(request, calls < 3 ? 503 : 200)
        })
      )
      const outcomes = yield* TestTime.run(
        collect(["http://x.test/a"], { concurrency: 1, retry: Schedule.spaced("1 second") }).pipe(
          Effect.provideService(HttpClient.HttpClient, client)
        )
      )
      assert.strictEqual(calls, 3)
      assert.deepStrictEqual(outcomes.map((o) => Result.map(o, (r) => [r.status, r.attempts])), [
        Result.succeed([200, 3])
      ])
    }))
  it.effect("ending the stream early interrupts the requests in flight and starts no more", () =>
    Effect.gen(function*() {
      let started = 0
      let inFlight = 0
      const client = HttpClient.make((request) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            started++
            inFlight++
          }),
          () => Effect.as(Effect.sleep(request.url.endsWith("/0") ? "1 second" : "1 hour"), respond(request)),
          () => Effect.sync(() => inFlight--)
        )
      )
      const urls = Array.from({ length: 100 }, (_, i) => `http://x.test/${i}`)
      const first = yield* TestTime.run(
        Fetch.fetchAll(urls, { concurrency: 4 }).pipe(
          Stream.take(1),
          Stream.runCollect,
          Effect.provideService(HttpClient.HttpClient, client)
        )
      )
      assert.deepStrictEqual(first.map(urlOf), ["http://x.test/0"])
      assert.strictEqual(inFlight, 0)
      // the first four, and the one that took the place of the finished one
      assert.strictEqual(started, 5)
    }))

  it.effect("a defect (here: the URLs' iterator throws) fails the stream; it does not end short", () =>
    Effect.gen(function*() {
      const urls: Iterable<string> = {
        *[Symbol.iterator]() {
          yield "http://x.test/a"
          yield "http://x.test/b"
          throw new Error("the iterator broke")
        }
      }
      const exit = yield* TestTime.run(
        Effect.exit(
          collect(urls, { concurrency: 2 }).pipe(
            Effect.provideService(HttpClient.HttpClient, virtualClient(() => 1000))
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), String(exit))
    }))
})

describe("Fetch.isRetryable", () => {
  it("timeouts, connection failures, 5xx and 429 are; invalid URLs and other 4xx are not", () => {
    const url = "http://x.test/"
    assert.isTrue(Fetch.isRetryable(new FetchTimeout({ url, millis: 1 })))
    assert.isTrue(Fetch.isRetryable(new ConnectionFailed({ url, reason: "ECONNREFUSED" })))
    for (const status of [500, 502, 503, 504, 599, 429]) {
      assert.isTrue(Fetch.isRetryable(new HttpStatusError({ url, status })), String(status))
    }
    for (const status of [400, 401, 403, 404, 409, 410, 499]) {
      assert.isFalse(Fetch.isRetryable(new HttpStatusError({ url, status })), String(status))
    }
    assert.isFalse(Fetch.isRetryable(new InvalidUrl({ url: "nope" })))
  })
})
