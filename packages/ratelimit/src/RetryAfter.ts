/**
 * Reading the `Retry-After` header of a response (RFC 9110 §10.2.3): how long a server that
 * answered `429 Too Many Requests` or `503 Service Unavailable` asks its clients to wait. It is
 * either a number of seconds (`Retry-After: 120`) or an HTTP-date (`Retry-After: Wed, 21 Oct
 * 2015 07:28:00 GMT`, or one of the two obsolete forms a recipient must still accept).
 * `HttpLimiter.limitByHost` and `@fiberkit/pipelines`' `Fetch.fetchAll` pause the host's limiter
 * for that long.
 *
 * @since 0.2.0
 */
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import type * as Option from "effect/Option"
import * as internal from "./internal/retryAfter.js"

/**
 * The wait a `Retry-After` value asks for, in milliseconds from `now` (ms since the epoch, e.g.
 * the Clock's). The value is `delay-seconds` (digits only: `"120"` is 120 000 ms) or an
 * HTTP-date (IMF-fixdate, RFC 850 or asctime; always GMT), with optional whitespace around it.
 *
 * - `None`: missing, empty or invalid — a negative number (`"-5"`), a fraction (`"1.5"`), a sign
 *   (`"+3"`), an exponent (`"1e3"`), a list (`"5, 7"`), or a date in any other format (what
 *   `Date.parse` would read, in local time for some, is not taken). Callers treat it as no header.
 * - `Some(0)`: `"0"`, or a date at or before `now`.
 * - Otherwise the wait, at most `Number.MAX_SAFE_INTEGER` ms for an absurdly large number: callers
 *   cap it (`maxRetryAfter`).
 *
 * **Example**
 *
 * ```ts
 * import { RetryAfter } from "@fiberkit/ratelimit"
 *
 * const now = Date.parse("2026-01-01T00:00:00Z")
 * RetryAfter.parse("120", now) // Some(120000)
 * RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", now) // Some(30000)
 * RetryAfter.parse("Wed, 31 Dec 2025 23:00:00 GMT", now) // Some(0): in the past
 * RetryAfter.parse("-5", now) // None
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const parse: (value: string | null | undefined, now: number) => Option.Option<number> = internal.parse

/**
 * The wait a response asks for, in milliseconds from `now`: `Some` only for a `429` or a `503`
 * whose `Retry-After` is valid (see `parse`; other statuses, such as a 3xx's `Retry-After`, are
 * `None`). An HTTP-date is measured from the response's own `Date` header when it has a valid one
 * — the server's clock, so a local clock that is off does not change the wait — else from `now`.
 *
 * **Example**
 *
 * ```ts
 * import { Clock, Effect, Option } from "effect"
 * import { HttpClient } from "effect/http"
 * import { RetryAfter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const response = yield* (yield* HttpClient.HttpClient).get("https://api.example.com/items")
 *   const wait = RetryAfter.fromResponse(response, yield* Clock.currentTimeMillis)
 *   if (Option.isSome(wait)) yield* Effect.sleep(wait.value) // then try again
 * })
 * ```
 *
 * @since 0.2.0
 * @category utils
 */
export const fromResponse: (
  response: HttpClientResponse.HttpClientResponse,
  now: number
) => Option.Option<number> = internal.fromResponse
