/**
 * Fetching many URLs at once on Effect's `HttpClient` (`effect/http/HttpClient`) — the guide's web scraper,
 * for real. Each URL gives one result in the stream: its status, size and time, or its own
 * typed failure (invalid URL, timeout, connection failure, HTTP error status, bad redirects); one
 * bad URL never stops the others. Redirects are followed. Bodies are streamed and counted, and kept
 * only when asked.
 *
 * @since 0.1.0
 */
import type { RateLimiter } from "@fiberkit/ratelimit/RateLimiter"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Result from "effect/Result"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import type {
  BodyTooLarge,
  ConnectionFailed,
  FetchTimeout,
  HttpStatusError,
  InvalidOptions,
  InvalidRedirect,
  InvalidUrl,
  TooManyRedirects
} from "./Errors.js"
import * as internal from "./internal/fetch.js"

/**
 * Why one URL failed: one of the errors of `Errors`, each with the `url` asked for. It arrives
 * as that URL's outcome (`Result.fail`), and in `FetchSummary.failed`.
 *
 * **Example**
 *
 * ```ts
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const reason = (error: Fetch.FetchError): string => {
 *   switch (error._tag) {
 *     case "HttpStatusError":
 *       return `HTTP ${error.status}`
 *     case "FetchTimeout":
 *       return `no answer within ${error.millis} ms`
 *     default:
 *       return error.message
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FetchError =
  | InvalidUrl
  | FetchTimeout
  | ConnectionFailed
  | HttpStatusError
  | TooManyRedirects
  | InvalidRedirect
  | BodyTooLarge

/**
 * One URL fetched: its 2xx status, its size and time, and the body with `keepBody`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const line = (result: Fetch.FetchResult) =>
 *   `${result.finalUrl} ${result.status}: ${result.bytes} bytes in ${result.durationMillis} ms`
 * const lines = Effect.map(
 *   Fetch.summarize(Fetch.fetchAll(["https://example.com"], { concurrency: 1 })),
 *   (summary) => summary.successful.map(line)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchResult {
  /** The URL asked for. */
  readonly url: string
  /** The URL that answered, after the redirects (`url` without one), normalized by `URL`. */
  readonly finalUrl: string
  /** The redirects followed to `finalUrl`. */
  readonly redirects: number
  /** The final status: always 2xx (any other is a `HttpStatusError`). */
  readonly status: number
  /** Bytes of the body. */
  readonly bytes: number
  /** From the start of the first attempt to the end of the body. */
  readonly durationMillis: number
  readonly attempts: number
  /** The body, with `keepBody: true` (at most `maxBodyBytes`). */
  readonly body?: Uint8Array
}

/**
 * One URL's outcome: `Result.succeed` of its `FetchResult` (read `.success`), or `Result.fail` of
 * its `FetchError` (read `.failure`).
 *
 * **Example**
 *
 * ```ts
 * import { Console, Result, Stream } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const log = Fetch.fetchAll(["https://example.com", "https://example.org"], { concurrency: 2 }).pipe(
 *   Stream.runForEach((outcome: Fetch.FetchOutcome) =>
 *     Result.isSuccess(outcome)
 *       ? Console.log(`${outcome.success.url}: ${outcome.success.status}`)
 *       : Console.error(outcome.failure.message)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FetchOutcome = Result.Result<FetchResult, FetchError>

/**
 * The options of `fetchAll`: `concurrency` is required, every other one has a default.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 * import { RateLimiter } from "@fiberkit/ratelimit"
 *
 * const polite = Effect.gen(function*() {
 *   const options: Fetch.FetchOptions = {
 *     concurrency: 8,
 *     perHostConcurrency: 2,
 *     rateLimit: yield* RateLimiter.make({ limit: 10, interval: "1 second" }),
 *     timeout: "10 seconds",
 *     retry: Schedule.recurs(2)
 *   }
 *   return yield* Fetch.summarize(Fetch.fetchAll(["https://example.com/a", "https://example.com/b"], options))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchOptions {
  /** Requests in flight at once, an integer ≥ 1. */
  readonly concurrency: number
  /** A rate limiter every request start waits for (e.g. 50 per second). */
  readonly rateLimit?: RateLimiter | undefined
  /** Requests in flight at once to one host, an integer ≥ 1. */
  readonly perHostConcurrency?: number | undefined
  /**
   * The most one attempt may take, redirects and a 2xx body included; then `FetchTimeout`. An error
   * status is decided as it arrives: its body is not waited for (it is read in the background, at
   * most 64 KiB and for at most this long, then dropped with its connection).
   */
  readonly timeout?: Duration.Input | undefined
  /**
   * Retries of retryable failures (timeouts, connection failures, 5xx, 429) on this schedule. A
   * retry after a `429` or `503` with a `Retry-After` waits for the later of the schedule's delay
   * and the server's time (at most `maxRetryAfter`).
   */
  readonly retry?: Schedule.Schedule<unknown, FetchError> | undefined
  /**
   * The longest wait a `Retry-After` may impose. A `429` or `503` with a valid `Retry-After`
   * (seconds or an HTTP-date) pauses the host of its URL — and no other host — for that long, or
   * for `maxRetryAfter` if it asks for more: no attempt at that host begins before the pause ends,
   * neither this URL's retry nor any other URL's. A finite duration ≥ 0; `0` turns the pauses off.
   * Default: 1 minute.
   */
  readonly maxRetryAfter?: Duration.Input | undefined
  /** Keep each body in its result. Default: false (bodies are counted, not held). */
  readonly keepBody?: boolean | undefined
  /**
   * With `keepBody`, the longest body kept, in bytes: an integer ≥ 0, or `Infinity` for no cap.
   * A longer one is `BodyTooLarge` (not retried), known by its `content-length` before any read,
   * or as it is read, so that no more than this (and one chunk) is ever held per URL: at most
   * `concurrency` × this in all. Default: 16 MiB. Without `keepBody`, bodies are counted in chunks
   * and never held, whatever their size.
   */
  readonly maxBodyBytes?: number | undefined
  /**
   * Redirects (301, 302, 303, 307, 308) followed per attempt, an integer ≥ 0; one more is
   * `TooManyRedirects`, and 0 follows none. Default: 20 (the Fetch standard's limit). A redirect
   * without an http(s) `Location` is `InvalidRedirect`. Every hop is a GET within the attempt's
   * `timeout`, under the limits of the URL asked for (`perHostConcurrency` counts its host, not the
   * hosts it redirects to).
   */
  readonly maxRedirects?: number | undefined
}

/**
 * The outcomes of a run, collected by `summarize`: the results and the failures.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const report = (summary: Fetch.FetchSummary) =>
 *   Console.log(`{"successful": ${summary.successful.length}, "failed": ${summary.failed.length}}`)
 * const program = Fetch.fetchAll(["https://example.com"], { concurrency: 1 }).pipe(
 *   Fetch.summarize,
 *   Effect.flatMap(report)
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchSummary {
  readonly successful: ReadonlyArray<FetchResult>
  readonly failed: ReadonlyArray<FetchError>
}

/**
 * Fetches every URL, `concurrency` at a time, and streams one outcome per URL as each ends.
 * Redirects are followed, at most `maxRedirects` (default 20) per attempt; a final status that is
 * not 2xx is `HttpStatusError` as soon as it arrives, whatever its body does (an error or redirect
 * body is read in the background, at most 64 KiB, so its connection can be reused, then dropped).
 * Fails only for invalid options (`concurrency` or `perHostConcurrency` below 1, `maxRedirects` or
 * `maxBodyBytes` below 0, a `timeout` or `maxRetryAfter` that is not a duration ≥ 0). Ending the
 * stream early (`Stream.take`) cancels the requests in flight.
 *
 * A `429` or `503` with a `Retry-After` (RFC 9110 §10.2.3: seconds or an HTTP-date) pauses its
 * URL's host, and only it, until then — at most `maxRetryAfter` (default 1 minute): no attempt at
 * that host begins before, this URL's retry included, which waits for the later of the `retry`
 * schedule's delay and the pause. A missing or invalid header (`-5`, `1.5`, an unknown date
 * format), a `0` or a past date pause nothing: the retry waits for the schedule alone. An attempt
 * waiting for a pause holds its place among the `concurrency` and `perHostConcurrency` slots.
 *
 * Each request is a span of the `HttpClient`, as with any use of it. For many small requests and
 * no tracing exporter, turning them off saves about 4% per request on a local server
 * (`Effect.provideService(HttpClient.TracerDisabledWhen, () => true)`; see BENCHMARKS.md).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schedule, Stream } from "effect"
 * import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const program = Fetch.fetchAll(["https://example.com/a", "https://example.com/b"], {
 *   concurrency: 10,
 *   perHostConcurrency: 4,
 *   timeout: "5 seconds",
 *   retry: Schedule.max([Schedule.exponential("100 millis"), Schedule.recurs(2)])
 * }).pipe(Fetch.summarize, Effect.provide(NodeHttpClient.layerUndici))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const fetchAll: (
  urls: Iterable<string>,
  options: FetchOptions
) => Stream.Stream<FetchOutcome, InvalidOptions, HttpClient.HttpClient> = internal.fetchAll

/**
 * Collects the outcomes into `{ successful, failed }`.
 *
 * **Example**
 *
 * ```ts
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const summary = Fetch.fetchAll(["https://example.com"], { concurrency: 1 }).pipe(Fetch.summarize)
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const summarize: <R>(
  results: Stream.Stream<FetchOutcome, InvalidOptions, R>
) => Effect.Effect<FetchSummary, InvalidOptions, R> = internal.summarize

/**
 * Whether a failure is worth another attempt: timeouts, connection failures, 5xx and 429 (with or
 * without a `Retry-After`: it only sets when).
 *
 * **Example**
 *
 * ```ts
 * import { Errors, Fetch } from "@fiberkit/pipelines"
 *
 * Fetch.isRetryable(new Errors.HttpStatusError({ url: "https://example.com", status: 503 })) // true
 * Fetch.isRetryable(new Errors.HttpStatusError({ url: "https://example.com", status: 404 })) // false
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable: (error: FetchError) => boolean = internal.isRetryable
