import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Clock, Effect } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
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
})
