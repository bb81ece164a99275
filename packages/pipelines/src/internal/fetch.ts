import * as KeyedConcurrencyLimiter from "@fiberkit/ratelimit/KeyedConcurrencyLimiter"
import * as RetryAfter from "@fiberkit/ratelimit/RetryAfter"
import * as Durations from "@fiberkit/sync/Durations"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as HttpClient from "effect/http/HttpClient"
import type * as HttpClientError from "effect/http/HttpClientError"
import type * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import {
  BodyTooLarge,
  ConnectionFailed,
  FetchTimeout,
  HttpStatusError,
  InvalidOptions,
  InvalidRedirect,
  InvalidUrl,
  TooManyRedirects
} from "../Errors.js"
import type * as Api from "../Fetch.js"
import { asCompleted } from "./asCompleted.js"
import { HostPauses } from "./hostPauses.js"

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "Fetch.fetchAll", field, expected, value })

/** The defaults of the options, documented in `FetchOptions`. @internal */
export const defaults = {
  maxRedirects: 20,
  maxBodyBytes: 16 * 1024 * 1024,
  maxRetryAfter: "1 minute"
} as const

/** The statuses that redirect (with a `Location`); other 3xx (300, 304 …) are answers. */
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** Timeouts, connection failures, 5xx and 429 are worth another attempt; the rest are not. @internal */
export const isRetryable = (error: Api.FetchError): boolean =>
  error._tag === "FetchTimeout" || error._tag === "ConnectionFailed" ||
  (error._tag === "HttpStatusError" && (error.status >= 500 || error.status === 429))

/** `url` (resolved against `base`) if it is an http(s) URL. */
const httpUrl = (url: string, base?: URL): URL | undefined => {
  try {
    const parsed = new URL(url, base)
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed : undefined
  } catch {
    return undefined
  }
}

const parse = (url: string): Result.Result<URL, InvalidUrl> => {
  const parsed = httpUrl(url)
  return parsed === undefined ? Result.fail(new InvalidUrl({ url })) : Result.succeed(parsed)
}

/**
 * The reason of a client's failure: the code of the transport error's cause (`fetch` fails with
 * "fetch failed", caused by the system error `ECONNREFUSED` …), else the transport error's message
 * (undici's "connect ECONNREFUSED …"), else the client's own.
 */
const reasonOf = (error: HttpClientError.HttpClientError): string => {
  const cause = error.reason.cause as
    | { readonly cause?: { readonly code?: unknown }; readonly message?: unknown }
    | undefined
  const code = cause?.cause?.code
  if (typeof code === "string") return code
  return typeof cause?.message === "string" ? cause.message : error.message
}

/**
 * A body no longer than this (by its `content-length`) is read in one call instead of streamed:
 * it is no bigger than one chunk of the stream would be, and a stream per response costs more
 * than the request itself on a fast local server.
 */
const SMALL_BODY = 64 * 1024

/**
 * The body's length in bytes as it will be read, by its `content-length`; `NaN` when unknown —
 * also when the body is encoded (`gzip`, `br` …): a client that decodes it (fetch does) reads
 * more than the header says, so only the stream's chunks can tell.
 */
const bodyLength = (response: HttpClientResponse.HttpClientResponse): number => {
  const encoding = response.headers["content-encoding"]
  if (encoding !== undefined && encoding.trim().toLowerCase() !== "identity") return Number.NaN
  return Number(response.headers["content-length"] ?? Number.NaN)
}

const decodeFailure = (url: string) => (error: HttpClientError.HttpClientError) =>
  new ConnectionFailed({ url, reason: reasonOf(error) })

/** Reads the body to its end and returns its length, holding at most one chunk at a time. */
const countBody = (
  response: HttpClientResponse.HttpClientResponse,
  url: string
): Effect.Effect<number, ConnectionFailed> => {
  const body = bodyLength(response) <= SMALL_BODY
    ? Effect.map(response.arrayBuffer, (buffer) => buffer.byteLength)
    : Stream.runFold(response.stream, () => 0, (total, chunk: Uint8Array) => total + chunk.length)
  return Effect.mapError(body, decodeFailure(url))
}

/**
 * Reads the body whole, failing `BodyTooLarge` as soon as it is known to be over `limit`: by its
 * `content-length`, before any read, or as the chunks come (a body without one, or a client that
 * decodes a compressed body), so that at most `limit` bytes and one chunk are ever held.
 */
const keepBody = (
  response: HttpClientResponse.HttpClientResponse,
  url: string,
  limit: number,
  drop: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<void>
): Effect.Effect<Uint8Array, ConnectionFailed | BodyTooLarge> => {
  const tooLarge = new BodyTooLarge({ url, maxBodyBytes: limit })
  const length = bodyLength(response)
  if (length > limit) return Effect.andThen(drop(response), Effect.fail(tooLarge))
  if (length <= SMALL_BODY) {
    return Effect.flatMap(
      Effect.mapError(response.arrayBuffer, decodeFailure(url)),
      (buffer) => buffer.byteLength > limit ? Effect.fail(tooLarge) : Effect.succeed(new Uint8Array(buffer))
    )
  }
  const chunks: Array<Uint8Array> = []
  let total = 0
  const read = Stream.runForEachArray(
    Stream.mapError(response.stream, decodeFailure(url)),
    (chunk) =>
      Effect.suspend(() => {
        for (const part of chunk) {
          total += part.length
          if (total > limit) return Effect.fail(tooLarge) // ends the stream: the rest is not read
          chunks.push(part)
        }
        return Effect.void
      })
  )
  return Effect.map(read, () => {
    const body = new Uint8Array(total)
    let at = 0
    for (const part of chunks) {
      body.set(part, at)
      at += part.length
    }
    return body
  })
}

interface Attempt {
  readonly status: number
  readonly bytes: number
  readonly body: Uint8Array | undefined
  readonly finalUrl: string
  readonly redirects: number
}

/** The most of an error or redirect body that is read (and dropped). */
const DISCARDED_BODY = 64 * 1024

/**
 * The body of an answer that is not the result (an error status, a redirect), read and dropped in
 * a fiber of `scope`, so that the outcome never waits for it: at most `DISCARDED_BODY` bytes, for at
 * most `within` (the attempt's timeout), and no longer than `scope` (the `fetchAll` stream). A body
 * read to its end gives its connection back to the pool for the next request; one cut short
 * (longer, stalled) is dropped with its connection.
 */
const discard = (
  response: HttpClientResponse.HttpClientResponse,
  scope: Scope.Scope,
  within: Duration.Duration | undefined
): Effect.Effect<void> => {
  let read = 0
  const drain = response.stream.pipe(
    Stream.takeUntil((chunk) => (read += chunk.length) >= DISCARDED_BODY),
    Stream.runDrain,
    Effect.ignore
  )
  return Effect.asVoid(Effect.forkIn(within === undefined ? drain : Effect.timeout(drain, within), scope))
}

/**
 * Redirects are followed here, counted and limited: a client on `fetch` (`FetchHttpClient`, whose
 * default is to follow them itself) is asked to hand them over, with the rest of its `RequestInit`.
 */
const redirectsHandedOver = <A, E, R>(request: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.serviceOption(FetchHttpClient.RequestInit),
    (init) =>
      Effect.provideService(request, FetchHttpClient.RequestInit, {
        ...Option.getOrElse(init, () => ({})),
        redirect: "manual"
      })
  )

/**
 * One attempt: redirects followed (at most `maxRedirects`), the final status checked, its body read
 * to its end (kept only if asked). Failures name `url`, the URL asked for.
 */
const attempt = (
  client: HttpClient.HttpClient,
  url: string,
  parsed: URL,
  options: {
    readonly keepBody: boolean
    readonly maxBodyBytes: number
    readonly maxRedirects: number
    readonly scope: Scope.Scope
    readonly timeout: Duration.Duration | undefined
    readonly pauses: HostPauses
    readonly maxRetryAfter: number
  }
): Effect.Effect<Attempt, Api.FetchError> => {
  /** An error status; a 429 or 503 with a `Retry-After` also pauses the host asked for, at most `maxRetryAfter`. */
  const refused = (response: HttpClientResponse.HttpClientResponse, status: number) =>
    Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      const retryAfterMillis = Option.getOrUndefined(RetryAfter.fromResponse(response, now))
      if (retryAfterMillis !== undefined) {
        options.pauses.pause(parsed.host, now, Math.min(retryAfterMillis, options.maxRetryAfter))
      }
      return Effect.fail(
        new HttpStatusError({ url, status, ...(retryAfterMillis === undefined ? {} : { retryAfterMillis }) })
      )
    })
  const drop = (response: HttpClientResponse.HttpClientResponse) => discard(response, options.scope, options.timeout)
  const hop = (current: URL, redirects: number): Effect.Effect<Attempt, Api.FetchError> =>
    Effect.flatMap(
      Effect.mapError(redirectsHandedOver(client.get(current)), decodeFailure(url)),
      (response): Effect.Effect<Attempt, Api.FetchError> => {
        const status = response.status
        if (REDIRECTS.has(status)) {
          const location: string | undefined = response.headers["location"]
          const next = location === undefined ? undefined : httpUrl(location, current)
          return Effect.andThen(
            drop(response),
            next === undefined
              ? Effect.fail(new InvalidRedirect({ url, status, location }))
              : redirects >= options.maxRedirects
              ? Effect.fail(new TooManyRedirects({ url, maxRedirects: options.maxRedirects, location: next.href }))
              : hop(next, redirects + 1)
          )
        }
        if (status < 200 || status >= 300) {
          // the status decides, whatever the body does
          return Effect.andThen(drop(response), refused(response, status))
        }
        const done = (bytes: number, body: Uint8Array | undefined): Attempt => ({
          status,
          bytes,
          body,
          finalUrl: current.href,
          redirects
        })
        if (options.keepBody) {
          return Effect.map(keepBody(response, url, options.maxBodyBytes, drop), (body) => done(body.length, body))
        }
        return Effect.map(countBody(response, url), (bytes) => done(bytes, undefined))
      }
    )
  return hop(parsed, 0)
}

/** @internal */
export const fetchAll = (
  urls: Iterable<string>,
  options: Api.FetchOptions
): Stream.Stream<Api.FetchOutcome, InvalidOptions, HttpClient.HttpClient> =>
  Stream.unwrap(
    Effect.gen(function*(): Effect.fn.Return<
      Stream.Stream<Api.FetchOutcome>,
      InvalidOptions,
      HttpClient.HttpClient | Scope.Scope
    > {
      const concurrency = options.concurrency
      if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
        return yield* invalid("concurrency", "an integer ≥ 1", concurrency)
      }
      const perHost = options.perHostConcurrency
      if (perHost !== undefined && (!Number.isSafeInteger(perHost) || perHost < 1)) {
        return yield* invalid("perHostConcurrency", "an integer ≥ 1", perHost)
      }
      const client = yield* HttpClient.HttpClient
      const decoded = options.timeout === undefined ? undefined : Durations.decodeNonNegative(options.timeout)
      if (decoded !== undefined && Option.isNone(decoded)) {
        return yield* invalid("timeout", "a duration ≥ 0", options.timeout)
      }
      const timeout = decoded?.pipe(Option.getOrUndefined)
      const maxRedirects = options.maxRedirects ?? defaults.maxRedirects
      if (!Number.isSafeInteger(maxRedirects) || maxRedirects < 0) {
        return yield* invalid("maxRedirects", "an integer ≥ 0", maxRedirects)
      }
      const maxBodyBytes = options.maxBodyBytes ?? defaults.maxBodyBytes
      if (maxBodyBytes !== Infinity && (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 0)) {
        return yield* invalid("maxBodyBytes", "an integer ≥ 0, or Infinity", maxBodyBytes)
      }
      const maxRetryAfter = Durations.decodeNonNegative(options.maxRetryAfter ?? defaults.maxRetryAfter).pipe(
        Option.map(Duration.toMillis),
        Option.filter(Number.isFinite)
      )
      if (Option.isNone(maxRetryAfter)) {
        return yield* invalid("maxRetryAfter", "a finite duration ≥ 0", options.maxRetryAfter)
      }
      const pauses = new HostPauses()
      const settings = {
        keepBody: options.keepBody === true,
        maxBodyBytes,
        maxRedirects,
        scope: yield* Effect.scope,
        timeout,
        pauses,
        maxRetryAfter: maxRetryAfter.value
      }
      // one limit per host, forgotten as soon as no request of that host is in flight or waiting
      const hosts = perHost === undefined
        ? undefined
        : yield* Effect.orDie(KeyedConcurrencyLimiter.make<string>({ perKey: perHost }))
      /** Every attempt at `url`, with its timeout, limits and retries; the start of the first. */
      const attempts = (url: string, parsed: URL) => {
        const state = { start: -1, tries: 0 }
        let request = Effect.flatMap(Clock.currentTimeMillis, (now) => {
          state.tries++
          if (state.start < 0) state.start = now // waits for limits before the first attempt do not count
          return attempt(client, url, parsed, settings)
        })
        if (timeout !== undefined) {
          request = Effect.timeoutOrElse(request, {
            duration: timeout,
            orElse: () => Effect.fail(new FetchTimeout({ url, millis: Duration.toMillis(timeout) }))
          })
        }
        // after a Retry-After, no attempt at the host before the pause ends
        request = pauses.gate(parsed.host, request, options.rateLimit)
        if (hosts !== undefined) request = hosts(parsed.host)(request)
        if (options.retry !== undefined) {
          request = Effect.retry(request, {
            schedule: options.retry as Schedule.Schedule<unknown, Api.FetchError>,
            while: isRetryable
          })
        }
        return Effect.flatMap(Effect.result(request), (exit) =>
          Effect.map(Clock.currentTimeMillis, (end) =>
            Result.map(exit, (result): Api.FetchResult => ({
              url,
              status: result.status,
              bytes: result.bytes,
              durationMillis: end - state.start,
              attempts: state.tries,
              finalUrl: result.finalUrl,
              redirects: result.redirects,
              ...(result.body === undefined ? {} : { body: result.body })
            }))))
      }
      const one = (url: string): Effect.Effect<Api.FetchOutcome> => {
        const parsed = parse(url)
        if (Result.isFailure(parsed)) {
          return Effect.succeed(Result.fail(parsed.failure))
        }
        return attempts(url, parsed.success)
      }
      // outcomes as each ends: a slow URL holds up nothing behind it
      return asCompleted(urls, one, concurrency)
    })
  )

/** @internal */
export const summarize = <R>(
  results: Stream.Stream<Api.FetchOutcome, InvalidOptions, R>
): Effect.Effect<Api.FetchSummary, InvalidOptions, R> =>
  Effect.map(Stream.runCollect(results), (outcomes) => {
    const successful = outcomes.filter(Result.isSuccess).map((outcome) => outcome.success)
    const failed = outcomes.filter(Result.isFailure).map((outcome) => outcome.failure)
    return { successful, failed }
  })
