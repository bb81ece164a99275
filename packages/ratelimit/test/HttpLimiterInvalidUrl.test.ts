/**
 * From the eighth review (failed before its fix): `HttpLimiter.limitByHost` turned a request whose
 * URL the client cannot read into a defect.
 *
 * `limitByHost` read each request's host with `new URL(request.url).host` inside the client's
 * `transform`: for a URL that does not parse (a relative path on a client without a base URL, a
 * typo), `new URL` threw a `TypeError`, and the request died. The same client without the limiter
 * fails with its typed `HttpClientError` (reason `InvalidUrlError`), which callers handle with
 * `catchTag("HttpClientError")` — through `limitByHost` that error was gone and the fiber died.
 *
 * Promise (HttpLimiter JSDoc of `limitByHost`): "The response itself is returned as it came" and
 * the client keeps the type `HttpClient.With<E, R>` — its errors, not new defects; the package's
 * rule (README, "Errors"): defects are for "a programming mistake" in the limiter's own arguments
 * ("A limited effect's own errors pass through unchanged").
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { HttpClient, HttpClientResponse } from "effect/http"
import * as HttpLimiter from "../src/HttpLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"

const client = HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response("ok"))))

describe("limitByHost and a URL that does not parse", () => {
  it.effect("the request fails with the client's HttpClientError, as without the limiter", () =>
    Effect.gen(function*() {
      const plain = yield* Effect.exit(Effect.scoped(client.get("/items")))
      assert.isTrue(Exit.isFailure(plain) && Cause.hasFails(plain.cause), "the plain client fails (typed)")
      const perHost = yield* KeyedRateLimiter.make<string>({ limit: 5, interval: "1 second" })
      const limited = HttpLimiter.limitByHost(client, perHost)
      const exit = yield* Effect.exit(Effect.scoped(limited.get("/items")))
      // failed: the exit was a defect, TypeError: Invalid URL — thrown by `new URL(request.url)` in limitByHost
      assert.isTrue(
        Exit.isFailure(exit) && !Cause.hasDies(exit.cause),
        `died: ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""}`
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.hasFails(exit.cause), "fails with the client's typed error")
      assert.strictEqual(yield* perHost.size, 0, "no host's limiter was used")
    }))
})
