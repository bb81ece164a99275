/**
 * Limits on an Effect `HttpClient` (`effect/http`): every request through the returned client waits
 * for the limiter first — a `RateLimiter`, a `ConcurrencyLimiter`, or any function of the same
 * shape — or for the limiter of its host, with a `KeyedRateLimiter`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as Layer from "effect/Layer"
import type * as KeyedRateLimiter from "./KeyedRateLimiter.js"

/**
 * Anything that limits an effect: a `RateLimiter`, a `ConcurrencyLimiter`, or a composition.
 *
 * @since 0.1.0
 * @category models
 */
export type Limit = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * The client with every request behind `limit`.
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
 *   return yield* client.get("https://example.com/users")
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const limit = <E, R>(client: HttpClient.HttpClient.With<E, R>, limit: Limit): HttpClient.HttpClient.With<E, R> =>
  HttpClient.transform(client, (effect) => limit(effect))

/**
 * The client with each request behind the limiter of its URL's host.
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
 *   return yield* client.get("https://example.com/users")
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const limitByHost = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  limiter: KeyedRateLimiter.KeyedRateLimiter<string>
): HttpClient.HttpClient.With<E, R> =>
  HttpClient.transform(client, (effect, request) => limiter(new URL(request.url).host)(effect))

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
  Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, (client) => limit(client, limiter)))
