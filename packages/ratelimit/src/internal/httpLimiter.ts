import * as Durations from "@fiberkit/sync/Durations"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Url from "effect/http/Url"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as Api from "../HttpLimiter.js"
import type * as KeyedRateLimiter from "../KeyedRateLimiter.js"
import { fromResponse } from "./retryAfter.js"

/** The defaults of `HttpLimiter.ByHostOptions`. @internal */
export const defaults = { maxRetryAfter: "1 minute" } as const

/** @internal */
export const limit = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  limiter: <A, E1, R1>(effect: Effect.Effect<A, E1, R1>) => Effect.Effect<A, E1, R1>
): HttpClient.HttpClient.With<E, R> => HttpClient.transform(client, (effect) => limiter(effect))

/**
 * The longest pause a `Retry-After` may cause, in ms; `undefined` for an option that is not a
 * finite duration ≥ 0 (a programming mistake: every request through the client then dies).
 */
const maxPauseOf = (input: Duration.Input): number | undefined => {
  const decoded = Durations.decodeNonNegative(input)
  const millis = Option.isSome(decoded) ? Duration.toMillis(decoded.value) : Number.NaN
  return Number.isFinite(millis) ? millis : undefined
}

/** @internal */
export const limitByHost = <E, R>(
  client: HttpClient.HttpClient.With<E, R>,
  limiter: KeyedRateLimiter.KeyedRateLimiter<string>,
  options?: Api.ByHostOptions
): HttpClient.HttpClient.With<E, R> => {
  const maxRetryAfter = options?.maxRetryAfter ?? defaults.maxRetryAfter
  const maxPause = maxPauseOf(maxRetryAfter)
  if (maxPause === undefined) {
    const misuse = new Cause.IllegalArgumentError(
      `HttpLimiter.limitByHost: maxRetryAfter must be a finite duration ≥ 0, got ${String(maxRetryAfter)}`
    )
    return HttpClient.transform(client, () => Effect.die(misuse))
  }
  /** A 429 or 503 with a valid `Retry-After` pauses its host, for at most `maxPause`. */
  const honour = (host: string, response: HttpClientResponse.HttpClientResponse | undefined) =>
    response === undefined ? Effect.void : Effect.clockWith((clock) => {
      const wait = fromResponse(response, clock.currentTimeMillisUnsafe())
      return Option.isSome(wait) && wait.value > 0
        ? limiter.pause(host, Math.min(wait.value, maxPause))
        : Effect.void
    })
  return HttpClient.transform(client, (effect, request) => {
    // read as the client reads it; a URL it cannot read goes through unlimited, for the client to
    // fail with its own typed error (InvalidUrlError), as without the limiter
    const url = Url.make(request.url, request.urlParams, Option.getOrUndefined(request.hash))
    if (Result.isFailure(url)) return effect
    const host = url.success.host
    return limiter(host)(effect).pipe(
      Effect.tap((response) => honour(host, response)),
      // a client that turns error statuses into failures (`filterStatusOk`) before this one
      Effect.tapError((error) => HttpClientError.isHttpClientError(error) ? honour(host, error.response) : Effect.void)
    )
  })
}
