/**
 * Found by an outside review of issue 20 (what it saw before the fix is described below).
 *
 * README, Semantics: "Redirects. 301, 302, 303, 307 and 308 are followed (as GETs), at most
 * `maxRedirects` per attempt (default 20, the Fetch standard's limit; 0 follows none): one more is
 * `TooManyRedirects` ... The result has the `finalUrl` and the number of `redirects`."
 *
 * fetchAll takes any `HttpClient`. With `@effect/platform`'s `FetchHttpClient` (global `fetch`,
 * whose default is `redirect: "follow"`), the client follows the redirects itself: fetchAll never
 * sees a 3xx, so `maxRedirects` is ignored, `redirects` is 0 and `finalUrl` is the URL asked for.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Stream } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as Fetch from "../src/Fetch.js"
import { serve } from "./fixtures/loopbackServer.js"

const redirecting = serve((req, res) => {
  const path = req.url ?? "/"
  if (path === "/r2") {
    res.writeHead(302, { location: "/r1", "content-length": 0 })
    return res.end()
  }
  if (path === "/r1") {
    res.writeHead(302, { location: "/final", "content-length": 0 })
    return res.end()
  }
  res.writeHead(200, { "content-length": 2 })
  res.end("ok")
})

describe("Fetch.fetchAll redirects on FetchHttpClient", () => {
  it.live("maxRedirects: 0 follows none: a 302 is TooManyRedirects", () =>
    Effect.gen(function*() {
      const { base } = yield* redirecting
      const outcomes = yield* Fetch.fetchAll([`${base}/r1`], { concurrency: 1, maxRedirects: 0 }).pipe(
        Stream.runCollect,
        Effect.provide(FetchHttpClient.layer)
      )
      const [outcome] = outcomes
      assert.isTrue(Result.isFailure(outcome!), `expected TooManyRedirects, got ${JSON.stringify(outcome)}`)
      assert.strictEqual(Result.isFailure(outcome!) ? outcome.failure._tag : "", "TooManyRedirects")
    }).pipe(Effect.scoped), 10_000)

  it.live("two redirects followed: redirects is 2 and finalUrl is the URL that answered", () =>
    Effect.gen(function*() {
      const { base } = yield* redirecting
      const outcomes = yield* Fetch.fetchAll([`${base}/r2`], { concurrency: 1 }).pipe(
        Stream.runCollect,
        Effect.provide(FetchHttpClient.layer)
      )
      const [outcome] = outcomes
      assert.isTrue(Result.isSuccess(outcome!))
      if (Result.isSuccess(outcome!)) {
        assert.strictEqual(outcome.success.finalUrl, `${base}/final`)
        assert.strictEqual(outcome.success.redirects, 2)
      }
    }).pipe(Effect.scoped), 10_000)
})
