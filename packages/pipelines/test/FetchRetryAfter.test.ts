/**
 * `Fetch.fetchAll` and `Retry-After`, on the TestClock: a 429 or 503 with one pauses its URL's host
 * only, the retry waits for the later of the schedule and the pause (at most `maxRetryAfter`), and
 * edge values of the header pause nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import * as RateLimiter from "@fiberkit/ratelimit/RateLimiter"
import { TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Result, Schedule, Stream } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientRequest from "effect/http/HttpClientRequest"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Fetch from "../src/Fetch.js"
import { collect } from "./outcomes.js"

/**
 * A client on the TestClock: `refuse(url, n)` gives the status and headers of an answer that is not
 * a 200 (`undefined`: a 200) to the `n`th request to the URL's host; every arrival is recorded as
 * `host/path@ms`, in ms from the first request (with the status if not 200).
 */
/** A response whose body "ok" is streamed in Effect (no promises: virtual time alone orders things). */
const respond = (request: HttpClientRequest.HttpClientRequest, status: number, headers: Record<string, string>) =>
  Object.create(HttpClientResponse.fromWeb(request, new Response(null, { status, headers })), {
    stream: { value: Stream.make(new Uint8Array([111, 107])) }
  }) as HttpClientResponse.HttpClientResponse

const scripted = (refuse: (url: URL, n: number) => readonly [number, Record<string, string>] | undefined) => {
  const seen: Array<string> = []
  const requests = new Map<string, number>()
  let origin: number | undefined
  const client = HttpClient.make((request) =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      origin ??= now
      const at = now - origin
      const url = new URL(request.url)
      const n = (requests.get(url.host) ?? 0) + 1
      requests.set(url.host, n)
      const refused = refuse(url, n)
      seen.push(`${url.host}${url.pathname}@${at}${refused === undefined ? "" : ` ${refused[0]}`}`)
      const [status, headers] = refused ?? [200, {}]
      return respond(request, status, headers)
    })
  )
  return { client, seen }
}

const run = (client: HttpClient.HttpClient, urls: ReadonlyArray<string>, options: Fetch.FetchOptions) =>
  TestTime.run(collect(urls, options).pipe(Effect.provideService(HttpClient.HttpClient, client)))

/** The first request to `busy.test` is answered `status` with `headers`. */
const firstRefused = (status: number, headers: Record<string, string>) =>
  scripted((url, n) => url.host === "busy.test" && n === 1 ? [status, headers] : undefined)

describe("Fetch.fetchAll and Retry-After", () => {
  for (const status of [429, 503]) {
    it.effect(`a ${status} pauses its host only; the retry waits for the pause, not the schedule alone`, () =>
      Effect.gen(function*() {
        const { client, seen } = firstRefused(status, { "retry-after": "3" })
        const outcomes = yield* run(
          client,
          ["http://busy.test/a", "http://calm.test/a", "http://calm.test/b", "http://busy.test/b"],
          { concurrency: 1, retry: Schedule.spaced("1 second") }
        )
        assert.isTrue(outcomes.every(Result.isSuccess))
        // concurrency 1: the other URLs come after busy.test/a, whose retry waits 3 s, not 1 s
        assert.deepStrictEqual(seen, [
          `busy.test/a@0 ${status}`,
          "busy.test/a@3000",
          "calm.test/a@3000",
          "calm.test/b@3000",
          "busy.test/b@3000"
        ])
      }))
  }

  it.effect("other hosts go on during the pause; the host's other URLs wait for its end", () =>
    Effect.gen(function*() {
      const { client, seen } = firstRefused(429, { "retry-after": "Thu, 01 Jan 1970 00:00:05 GMT" })
      const outcomes = yield* run(
        client,
        ["http://busy.test/a", "http://calm.test/a", "http://busy.test/b", "http://calm.test/b"],
        { concurrency: 4, perHostConcurrency: 1, retry: Schedule.recurs(1) }
      )
      assert.isTrue(outcomes.every(Result.isSuccess))
      assert.deepStrictEqual([...seen].sort(), [
        "busy.test/a@0 429",
        "busy.test/a@5000",
        "busy.test/b@5000",
        "calm.test/a@0",
        "calm.test/b@0"
      ])
    }))

  it.effect("the retry waits for the later of the schedule's delay and the Retry-After", () =>
    Effect.gen(function*() {
      const { client, seen } = firstRefused(429, { "retry-after": "1" })
      yield* run(client, ["http://busy.test/a"], { concurrency: 1, retry: Schedule.spaced("4 seconds") })
      assert.deepStrictEqual(seen, ["busy.test/a@0 429", "busy.test/a@4000"])
    }))

  it.effect("a Retry-After beyond maxRetryAfter waits maxRetryAfter; the error carries what the server asked", () =>
    Effect.gen(function*() {
      const { client, seen } = scripted(() => [429, { "retry-after": "86400" }])
      const outcomes = yield* run(client, ["http://busy.test/a"], {
        concurrency: 1,
        retry: Schedule.recurs(2),
        maxRetryAfter: "10 seconds"
      })
      assert.deepStrictEqual(seen, ["busy.test/a@0 429", "busy.test/a@10000 429", "busy.test/a@20000 429"])
      const [outcome] = outcomes
      assert.isTrue(outcome !== undefined && Result.isFailure(outcome))
      const error = (outcome as Result.Failure<Fetch.FetchResult, Fetch.FetchError>).failure
      assert.strictEqual(error._tag, "HttpStatusError")
      assert.strictEqual((error as { retryAfterMillis?: number }).retryAfterMillis, 86_400_000)
      assert.strictEqual(error.message, "http://busy.test/a: HTTP 429 (Retry-After: 86400 s)")
    }))

  it.effect("maxRetryAfter 0 turns the pauses off: the schedule alone decides", () =>
    Effect.gen(function*() {
      const { client, seen } = firstRefused(429, { "retry-after": "30" })
      yield* run(client, ["http://busy.test/a"], { concurrency: 1, retry: Schedule.recurs(1), maxRetryAfter: 0 })
      assert.deepStrictEqual(seen, ["busy.test/a@0 429", "busy.test/a@0"])
    }))

  it.effect("a missing, invalid, negative, zero or past Retry-After pauses nothing; nor does a 500", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<readonly [number, Record<string, string>]> = [
        [429, {}],
        [429, { "retry-after": "later" }],
        [429, { "retry-after": "-10" }],
        [429, { "retry-after": "2.5" }],
        [503, { "retry-after": "0" }],
        [503, { "retry-after": "Thu, 01 Jan 1970 00:00:00 GMT" }],
        [500, { "retry-after": "30" }]
      ]
      for (const [status, headers] of cases) {
        const { client, seen } = firstRefused(status, headers)
        const outcomes = yield* run(client, ["http://busy.test/a"], {
          concurrency: 1,
          retry: Schedule.spaced("100 millis")
        })
        assert.isTrue(outcomes.every(Result.isSuccess), JSON.stringify(headers))
        assert.deepStrictEqual(seen, [`busy.test/a@0 ${status}`, "busy.test/a@100"], JSON.stringify(headers))
      }
    }))

  it.effect("without retry, the URL fails at once, but the host's next URLs still wait", () =>
    Effect.gen(function*() {
      const { client, seen } = firstRefused(429, { "retry-after": "2" })
      const outcomes = yield* run(client, ["http://busy.test/a", "http://busy.test/b"], { concurrency: 1 })
      assert.deepStrictEqual(outcomes.map(Result.isSuccess), [false, true])
      assert.deepStrictEqual(seen, ["busy.test/a@0 429", "busy.test/b@2000"])
    }))

  it.effect("with a rate limit, a URL waiting for its turn when the 429 comes waits for the pause too", () =>
    Effect.gen(function*() {
      // limit 1 per 100 ms: busy.test/b holds the limiter's turn (for 100) when busy.test/a's 429 arrives at 50
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis", algorithm: "gcra" })
      const seen: Array<string> = []
      const client = HttpClient.make((request) =>
        Effect.gen(function*() {
          const url = new URL(request.url)
          const at = yield* Clock.currentTimeMillis
          const refuse = url.pathname === "/a" && at === 0
          seen.push(`${url.pathname}@${at}`)
          yield* Effect.sleep(refuse ? 50 : 0)
          return refuse ? respond(request, 429, { "retry-after": "1" }) : respond(request, 200, {})
        })
      )
      yield* run(client, ["http://busy.test/a", "http://busy.test/b", "http://calm.test/c"], {
        concurrency: 3,
        rateLimit: limiter,
        retry: Schedule.recurs(1)
      })
      // b's turn at 100 falls in the pause (50 to 1050): its start is given back, and taken again after
      assert.deepStrictEqual(seen.slice(0, 2), ["/a@0", "/c@200"])
      assert.deepStrictEqual([...seen.slice(2)].sort(), ["/a@1050", "/b@1150"].sort())
    }))

  it.effect("an invalid maxRetryAfter fails InvalidOptions", () =>
    Effect.gen(function*() {
      for (const maxRetryAfter of [-1, Number.NaN, Infinity, "-1 second"] as const) {
        const error = yield* Effect.flip(
          collect(["http://x.test/"], { concurrency: 1, maxRetryAfter }).pipe(
            Effect.provideService(HttpClient.HttpClient, scripted(() => undefined).client)
          )
        )
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.include(error.message, "maxRetryAfter")
      }
    }))
})
