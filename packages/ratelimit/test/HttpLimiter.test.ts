import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Cause, Clock, Effect, Exit, Fiber, Schedule } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import { TestClock } from "effect/testing"
import * as HttpLimiter from "../src/HttpLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

/** A client that answers at once and records when each request reached it. */
const recording = () => {
  const seen: Array<string> = []
  const client = HttpClient.make((request) =>
    Effect.map(Clock.currentTimeMillis, (at) => {
      seen.push(`${new URL(request.url).host}${new URL(request.url).pathname}@${at}`)
      return HttpClientResponse.fromWeb(request, new Response("ok"))
    })
  )
  return { client, seen }
}

describe("HttpLimiter", () => {
  it.effect("every request through the client waits for the limiter", () =>
    Effect.gen(function*() {
      const { client, seen } = recording()
      const limited = HttpLimiter.limit(client, yield* RateLimiter.make({ limit: 2, interval: "1 second" }))
      yield* TestTime.run(Effect.forEach(
        ["/a", "/b", "/c", "/d", "/e"],
        (path) => Effect.scoped(limited.get(`https://api.example.com${path}`)),
        { concurrency: "unbounded" }
      ))
      assert.deepStrictEqual(seen, [
        "api.example.com/a@0",
        "api.example.com/b@0",
        "api.example.com/c@1001",
        "api.example.com/d@1001",
        "api.example.com/e@2002"
      ])
    }))

  it.effect("limitByHost: each host waits only for its own limiter", () =>
    Effect.gen(function*() {
      const { client, seen } = recording()
      const perHost = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second" })
      const limited = HttpLimiter.limitByHost(client, perHost)
      yield* TestTime.run(Effect.forEach(
        ["https://a.test/1", "https://b.test/1", "https://a.test/2", "https://b.test/2"],
        (url) => Effect.scoped(limited.get(url)),
        { concurrency: "unbounded" }
      ))
      // the two hosts are independent: the order between them at the same instant is not fixed
      assert.deepStrictEqual([...seen].sort(), ["a.test/1@0", "a.test/2@1001", "b.test/1@0", "b.test/2@1001"])
    }))

  it.effect("limit and limitByHost are dual: client.pipe(HttpLimiter.limit(limiter)) limits as the data-first form", () =>
    Effect.gen(function*() {
      const rate = recording()
      const limited = rate.client.pipe(HttpLimiter.limit(yield* RateLimiter.make({ limit: 1, interval: "1 second" })))
      const byHost = recording()
      const perHost = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second" })
      const limitedByHost = byHost.client.pipe(HttpLimiter.limitByHost(perHost))
      yield* TestTime.run(Effect.all([
        Effect.forEach(["/a", "/b"], (path) => Effect.scoped(limited.get(`https://x.test${path}`)), {
          concurrency: "unbounded"
        }),
        Effect.forEach(
          ["https://a.test/1", "https://b.test/1", "https://a.test/2"],
          (url) => Effect.scoped(limitedByHost.get(url)),
          { concurrency: "unbounded" }
        )
      ], { concurrency: "unbounded" }))
      assert.deepStrictEqual(rate.seen, ["x.test/a@0", "x.test/b@1001"])
      assert.deepStrictEqual([...byHost.seen].sort(), ["a.test/1@0", "a.test/2@1001", "b.test/1@0"])
    }))

  it.effect("layer: the HttpClient in the context is the limited one", () =>
    Effect.gen(function*() {
      const { client, seen } = recording()
      const limit = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      yield* TestTime.run(
        Effect.forEach(["/a", "/b"], (path) =>
          Effect.flatMap(HttpClient.HttpClient, (http) => Effect.scoped(http.get(`https://x.test${path}`))), {
          concurrency: "unbounded"
        }).pipe(
          Effect.provide(HttpLimiter.layer(limit)),
          Effect.provideService(HttpClient.HttpClient, client)
        )
      )
      assert.deepStrictEqual(seen, ["x.test/a@0", "x.test/b@1001"])
    }))

  describe("Retry-After", () => {
    /**
     * A client whose host `busy.test` answers `status` with `headers` to its first `refusals`
     * requests, and 200 to every other request; it records when each request reached it.
     */
    const refusing = (status: number, headers: (now: number) => Record<string, string>, refusals = 1) => {
      const seen: Array<string> = []
      let refused = 0
      const client = HttpClient.make((request) =>
        Effect.map(Clock.currentTimeMillis, (at) => {
          const url = new URL(request.url)
          const refuse = url.host === "busy.test" && refused < refusals
          if (refuse) refused++
          seen.push(`${url.host}${url.pathname}@${at}${refuse ? ` ${status}` : ""}`)
          return HttpClientResponse.fromWeb(
            request,
            refuse ? new Response(null, { status, headers: headers(at) }) : new Response("ok")
          )
        })
      )
      return { client, seen }
    }

    const perHost = KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second" })

    for (const status of [429, 503]) {
      it.effect(`a ${status} with Retry-After in seconds pauses that host only; a retry then succeeds`, () =>
        Effect.gen(function*() {
          const { client, seen } = refusing(status, () => ({ "retry-after": "2" }))
          const limited = client.pipe(
            HttpLimiter.limitByHost(yield* perHost),
            HttpClient.filterStatusOk,
            HttpClient.retry(Schedule.recurs(1)) // no delay of its own: the pause decides
          )
          const statuses = yield* TestTime.run(Effect.forEach(
            ["https://busy.test/a", "https://calm.test/a", "https://calm.test/b"],
            (url, i) =>
              Effect.andThen(
                Effect.sleep(i === 0 ? 0 : 10),
                Effect.map(Effect.scoped(limited.get(url)), (response) => response.status)
              ),
            { concurrency: "unbounded" }
          ))
          assert.deepStrictEqual(statuses, [200, 200, 200])
          assert.deepStrictEqual([...seen].sort(), [
            `busy.test/a@0 ${status}`,
            "busy.test/a@2000",
            "calm.test/a@10",
            "calm.test/b@10"
          ])
        }))
    }

    it.effect("an HTTP-date pauses the host until then; requests waiting for it keep their order", () =>
      Effect.gen(function*() {
        const { client, seen } = refusing(429, (now) => ({ "retry-after": new Date(now + 3000).toUTCString() }))
        const limited = HttpLimiter.limitByHost(client, yield* perHost)
        const first = yield* Effect.scoped(limited.get("https://busy.test/first"))
        assert.strictEqual(first.status, 429)
        yield* TestTime.run(Effect.forEach(
          ["/1", "/2", "/3"],
          (path) => Effect.scoped(limited.get(`https://busy.test${path}`)),
          { concurrency: "unbounded" }
        ))
        assert.deepStrictEqual(seen, [
          "busy.test/first@0 429",
          "busy.test/1@3000",
          "busy.test/2@3000",
          "busy.test/3@3000"
        ])
      }))

    it.effect("a huge Retry-After pauses at most maxRetryAfter; 0 turns the pauses off", () =>
      Effect.gen(function*() {
        const huge = refusing(429, () => ({ "retry-after": "86400" }))
        const capped = HttpLimiter.limitByHost(huge.client, yield* perHost, { maxRetryAfter: "5 seconds" })
        yield* Effect.scoped(capped.get("https://busy.test/a"))
        yield* TestTime.run(Effect.scoped(capped.get("https://busy.test/b")))
        assert.deepStrictEqual(huge.seen, ["busy.test/a@0 429", "busy.test/b@5000"])

        const off = refusing(429, () => ({ "retry-after": "60" }))
        const ignoring = HttpLimiter.limitByHost(off.client, yield* perHost, { maxRetryAfter: 0 })
        yield* Effect.scoped(ignoring.get("https://busy.test/a"))
        yield* Effect.scoped(ignoring.get("https://busy.test/b"))
        assert.deepStrictEqual(off.seen, ["busy.test/a@5000 429", "busy.test/b@5000"])
      }))

    it.effect("a missing, invalid, negative or past Retry-After, or another status, pauses nothing", () =>
      Effect.gen(function*() {
        const cases: ReadonlyArray<readonly [number, Record<string, string>]> = [
          [429, {}],
          [429, { "retry-after": "soon" }],
          [429, { "retry-after": "-30" }],
          [503, { "retry-after": "Thu, 01 Jan 1970 00:00:00 GMT" }], // the TestClock starts at the epoch
          [500, { "retry-after": "30" }],
          [301, { "retry-after": "30", location: "https://busy.test/b" }]
        ]
        for (const [status, headers] of cases) {
          const { client, seen } = refusing(status, () => headers)
          const limiter = yield* perHost
          const limited = HttpLimiter.limitByHost(client, limiter)
          yield* TestTime.run(Effect.scoped(limited.get("https://busy.test/a")))
          yield* TestTime.run(Effect.scoped(limited.get("https://busy.test/b")))
          assert.deepStrictEqual(seen, [`busy.test/a@0 ${status}`, "busy.test/b@0"], JSON.stringify(headers))
          assert.strictEqual((yield* limiter("busy.test").stats).pausedFor, 0)
        }
      }))

    it.effect("many 429s at once: the pauses extend to the latest end, never shorten", () =>
      Effect.gen(function*() {
        let next = 0
        const waits = [3, 1, 5, 2, 4]
        // every request in flight before the first answer: each answer asks for its own wait
        const client = HttpClient.make((request) =>
          Effect.andThen(
            Effect.sleep(100),
            Effect.sync(() =>
              HttpClientResponse.fromWeb(
                request,
                new Response(null, { status: 429, headers: { "retry-after": String(waits[next++ % waits.length]) } })
              )
            )
          )
        )
        const limiter = yield* perHost
        const limited = HttpLimiter.limitByHost(client, limiter)
        const requests = yield* Effect.forkChild(
          Effect.forEach(waits, () => Effect.scoped(limited.get("https://busy.test/")), { concurrency: "unbounded" })
        )
        yield* TestClock.adjust(100)
        yield* Fiber.join(requests)
        assert.strictEqual((yield* limiter("busy.test").stats).pausedFor, 5000)
        yield* TestClock.adjust(4999)
        assert.strictEqual((yield* limiter("busy.test").stats).pausedFor, 1)
      }))

    it.effect("an invalid maxRetryAfter is a defect naming the option, for every request", () =>
      Effect.gen(function*() {
        const { client, seen } = refusing(429, () => ({ "retry-after": "1" }))
        for (const maxRetryAfter of [-1, Number.NaN, Infinity, "forever"] as const) {
          const limited = HttpLimiter.limitByHost(client, yield* perHost, {
            maxRetryAfter: maxRetryAfter as unknown as number
          })
          const exit = yield* Effect.exit(Effect.scoped(limited.get("https://busy.test/")))
          const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
          assert.isTrue(Cause.isIllegalArgumentError(defect), String(maxRetryAfter))
          assert.include(
            (defect as Error).message,
            "HttpLimiter.limitByHost: maxRetryAfter must be a finite duration ≥ 0"
          )
        }
        assert.deepStrictEqual(seen, [])
      }))
  })
})
