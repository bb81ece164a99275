import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schedule } from "effect"
import { HttpStatusError, InvalidRedirect, TooManyRedirects } from "../src/Errors.js"
import * as Fetch from "../src/Fetch.js"
import { collect, failure, live, success } from "./outcomes.js"
import { bodyOf, start } from "./server.js"

describe("Fetch.fetchAll: redirects", () => {
  live(
    "a redirect is followed: the result is the target's status and body, with the redirects and the final URL",
    Effect.gen(function*() {
      const server = yield* start()
      const chain = server.url("/redirect/3/ok/50")
      const codes = [301, 302, 303, 307, 308]
      const single = codes.map((code) => server.url(`/goto/${code}?to=${encodeURIComponent(`/ok/${code}`)}`))
      const absolute = server.url(`/goto/302?to=${encodeURIComponent(server.url("/ok/9"))}`)
      const outcomes = yield* collect([chain, ...single, absolute], { concurrency: 4, keepBody: true })
      const result = success(outcomes, chain)
      assert.deepStrictEqual(
        [result.status, result.bytes, result.redirects, result.finalUrl],
        [200, 50, 3, server.url("/ok/50")]
      )
      assert.deepStrictEqual(result.body, bodyOf(50))
      for (const [i, url] of single.entries()) {
        const one = success(outcomes, url)
        assert.deepStrictEqual([one.status, one.bytes, one.redirects], [200, codes[i], 1], url)
      }
      assert.strictEqual(success(outcomes, absolute).finalUrl, server.url("/ok/9"))
      // the server saw each hop once
      assert.deepStrictEqual(
        ["/redirect/3/ok/50", "/redirect/2/ok/50", "/redirect/1/ok/50", "/ok/50"].map((path) => server.attempts(path)),
        [1, 1, 1, 1]
      )
    })
  )

  live(
    "a redirect to an error status is that status (HttpStatusError of the URL asked for), retried as a status is",
    Effect.gen(function*() {
      const server = yield* start()
      const missing = server.url("/redirect/1/status/404")
      const unavailable = server.url("/redirect/2/status/503")
      const outcomes = yield* collect([missing, unavailable], { concurrency: 2, retry: Schedule.recurs(1) })
      assert.deepStrictEqual(failure(outcomes, missing), new HttpStatusError({ url: missing, status: 404 }))
      assert.deepStrictEqual(failure(outcomes, unavailable), new HttpStatusError({ url: unavailable, status: 503 }))
      assert.strictEqual(server.attempts("/status/404"), 1)
      assert.strictEqual(server.attempts("/status/503"), 2)
    })
  )

  live(
    "a 3xx that is not a redirect (300, 304) is HttpStatusError, not a success",
    Effect.gen(function*() {
      const server = yield* start()
      const urls = [server.url("/goto/300?to=%2Fok%2F1"), server.url("/goto/304")]
      const outcomes = yield* collect(urls, { concurrency: 2 })
      assert.deepStrictEqual(
        urls.map((url) => failure(outcomes, url)),
        [new HttpStatusError({ url: urls[0]!, status: 300 }), new HttpStatusError({ url: urls[1]!, status: 304 })]
      )
    })
  )

  live(
    "more redirects than maxRedirects (default 20): TooManyRedirects, naming the Location not followed",
    Effect.gen(function*() {
      const server = yield* start()
      const twenty = server.url("/redirect/20/ok/2/a")
      const twentyOne = server.url("/redirect/21/ok/2/b")
      const byDefault = yield* collect([twenty, twentyOne], { concurrency: 2, retry: Schedule.recurs(2) })
      assert.strictEqual(success(byDefault, twenty).redirects, 20)
      assert.deepStrictEqual(
        failure(byDefault, twentyOne),
        new TooManyRedirects({ url: twentyOne, maxRedirects: 20, location: server.url("/ok/2/b") })
      )
      // not retried
      assert.strictEqual(server.attempts("/redirect/21/ok/2/b"), 1)
      const three = server.url("/redirect/3/ok/3")
      const limited = yield* collect([three], { concurrency: 1, maxRedirects: 2 })
      assert.deepStrictEqual(
        failure(limited, three),
        new TooManyRedirects({ url: three, maxRedirects: 2, location: server.url("/ok/3") })
      )
      // 0: redirects are not followed
      const once = server.url("/redirect/1/ok/4")
      const none = yield* collect([once], { concurrency: 1, maxRedirects: 0 })
      assert.deepStrictEqual(
        failure(none, once),
        new TooManyRedirects({ url: once, maxRedirects: 0, location: server.url("/ok/4") })
      )
    })
  )

  live(
    "a redirect without a usable Location (none, not http(s), not a URL): InvalidRedirect, not retried",
    Effect.gen(function*() {
      const server = yield* start()
      const cases: Array<[string, string | undefined]> = [
        ["/goto/302", undefined],
        ["/goto/301?to=ftp%3A%2F%2Fexample.com%2Ff", "ftp://example.com/f"],
        ["/goto/307?to=http%3A%2F%2F%5B", "http://["]
      ]
      const urls = cases.map(([path]) => server.url(path))
      const outcomes = yield* collect(urls, { concurrency: 3, retry: Schedule.recurs(2) })
      assert.deepStrictEqual(
        urls.map((url) => failure(outcomes, url)),
        cases.map(([path, location], i) =>
          new InvalidRedirect({ url: urls[i]!, status: Number(path.split("/")[2]!.slice(0, 3)), location })
        )
      )
      assert.strictEqual(server.attempts("/goto/302"), 1)
    })
  )

  it.live("maxRedirects not an integer ≥ 0 fails InvalidOptions", () =>
    Effect.gen(function*() {
      for (const maxRedirects of [-1, 1.5, Number.NaN, Infinity]) {
        const error = yield* Effect.flip(collect(["http://127.0.0.1:1/"], { concurrency: 1, maxRedirects }))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual(error.field, "maxRedirects")
      }
      assert.isFalse(Fetch.isRetryable(new TooManyRedirects({ url: "http://x.test/", maxRedirects: 1, location: "/" })))
      assert.isFalse(
        Fetch.isRetryable(new InvalidRedirect({ url: "http://x.test/", status: 302, location: undefined }))
      )
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
