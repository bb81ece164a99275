import type * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import type * as KeyedRateLimiter from "../KeyedRateLimiter.js"

/** @internal */
export const limit = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  limiter: <A, E1, R1>(effect: Effect.Effect<A, E1, R1>) => Effect.Effect<A, E1, R1>
): HttpClient.HttpClient.With<E, R> => HttpClient.transform(client, (effect) => limiter(effect))

/** @internal */
export const limitByHost = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  limiter: KeyedRateLimiter.KeyedRateLimiter<string>
): HttpClient.HttpClient.With<E, R> =>
  HttpClient.transform(client, (effect, request) => limiter(new URL(request.url).host)(effect))
