/**
 * Limits on an Effect `HttpClient` (`effect/http`): every request through the returned client waits
 * for the limiter first — a `RateLimiter`, a `ConcurrencyLimiter`, or any function of the same
 * shape — or for the limiter of its host, with a `KeyedRateLimiter`, which also listens to the
 * server: a `429` or `503` with a `Retry-After` pauses that host's limiter.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import * as internal from "./internal/httpLimiter.js"
import type * as KeyedRateLimiter from "./KeyedRateLimiter.js"

/**
 * Anything that limits an effect: a `RateLimiter`, a `ConcurrencyLimiter`, or a composition.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { ConcurrencyLimiter, HttpLimiter, RateLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const rate = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
 *   const concurrency = yield* ConcurrencyLimiter.make({ concurrency: 3 })
 *   // at most 3 in flight, and at most 3 starts in any second
 *   const both: HttpLimiter.Limit = (effect) => concurrency(rate(effect))
 *   const client = HttpLimiter.limit(yield* HttpClient.HttpClient, both)
 *   return yield* client.get("https://example.com/users")
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Limit = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * The client with every request behind `limit`. Dual: `HttpLimiter.limit(client, limit)` or
 * `client.pipe(HttpLimiter.limit(limit))`. It does not read `Retry-After`: one limiter for every
 * host cannot pause one host alone. Use `limitByHost`, or `RateLimiter.pause` yourself.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { HttpLimiter, RateLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limit = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
 *   const client = HttpLimiter.limit(yield* HttpClient.HttpClient, limit)
 *   // or data-last, in a pipe with the client's other combinators (the same limiter: one limit for both)
 *   const checked = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk, HttpLimiter.limit(limit))
 *   return yield* Effect.all([client.get("https://example.com/users"), checked.get("https://example.com/orders")])
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const limit: {
  (limit: Limit): <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E, R>
  <E, R>(client: HttpClient.HttpClient.With<E, R>, limit: Limit): HttpClient.HttpClient.With<E, R>
} = dual(2, internal.limit)

/**
 * The options of `limitByHost`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { HttpLimiter, KeyedRateLimiter } from "@fiberkit/ratelimit"
 *
 * const options: HttpLimiter.ByHostOptions = { maxRetryAfter: "5 minutes" }
 * const program = Effect.gen(function*() {
 *   const perHost = yield* KeyedRateLimiter.make<string>({ limit: 5, interval: "1 second" })
 *   return HttpLimiter.limitByHost(yield* HttpClient.HttpClient, perHost, options)
 * })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ByHostOptions {
  /**
   * The longest a `Retry-After` pauses a host: a longer one pauses it this long. A finite
   * duration ≥ 0; `0` turns the pauses off. Default: 1 minute. Another value is a programming
   * mistake: every request through the client dies (`IllegalArgumentError` naming the option).
   */
  readonly maxRetryAfter?: Duration.Input | undefined
}

/**
 * The client with each request behind the limiter of its URL's host (`URL.host`: the hostname
 * and the port). Dual: `HttpLimiter.limitByHost(client, limiter, options?)` or
 * `client.pipe(HttpLimiter.limitByHost(limiter, options?))`.
 *
 * It honours the server's `Retry-After` (RFC 9110 §10.2.3) on `429 Too Many Requests` and
 * `503 Service Unavailable`: the limiter of that host — and of no other — is paused
 * (`KeyedRateLimiter.pause`) until then, at most `maxRetryAfter` (default 1 minute). The
 * requests waiting for that host keep their order and start when the pause is over. The header is
 * read as `RetryAfter.fromResponse` does: seconds or an HTTP-date (measured from the response's
 * `Date`); a missing or invalid one, a `0` or a date in the past pause nothing. The response
 * itself is returned as it came: this client does not retry, so a retry of yours (e.g.
 * `HttpClient.retryTransient`, piped after it) waits for the pause. A response seen as a failure
 * (`HttpClient.filterStatusOk` piped before this) is honoured too. A request whose URL the client
 * cannot read (a relative path without a base URL) goes to the client unlimited, to fail as it
 * would without the limiter — with `HttpClientError` (`InvalidUrlError`), nothing sent, for a
 * client made by `HttpClient.make`, as the platform clients are.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "effect/http"
 * import { HttpLimiter, KeyedRateLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const perHost = yield* KeyedRateLimiter.make<string>({ limit: 5, interval: "1 second" })
 *   const client = HttpLimiter.limitByHost(yield* HttpClient.HttpClient, perHost)
 *   // or data-last, in a pipe
 *   const piped = (yield* HttpClient.HttpClient).pipe(HttpLimiter.limitByHost(perHost))
 *   return yield* Effect.all([client.get("https://example.com/users"), piped.get("https://example.org/orders")])
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const limitByHost: {
  (
    limiter: KeyedRateLimiter.KeyedRateLimiter<string>,
    options?: ByHostOptions
  ): <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E, R>
  <E, R>(
    client: HttpClient.HttpClient.With<E, R>,
    limiter: KeyedRateLimiter.KeyedRateLimiter<string>,
    options?: ByHostOptions
  ): HttpClient.HttpClient.With<E, R>
} = dual((args) => HttpClient.isHttpClient(args[0]), internal.limitByHost)

/**
 * Replaces the `HttpClient` in the context with one whose requests go behind `limit`, for a
 * whole program.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { FetchHttpClient } from "effect/http"
 * import { HttpLimiter, RateLimiter } from "@fiberkit/ratelimit"
 *
 * const Limited = Layer.unwrap(
 *   Effect.map(RateLimiter.make({ limit: 50, interval: "1 second" }), (limit) => HttpLimiter.layer(limit))
 * ).pipe(Layer.provide(FetchHttpClient.layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (limiter: Limit): Layer.Layer<HttpClient.HttpClient, never, HttpClient.HttpClient> =>
  Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, limit(limiter)))
