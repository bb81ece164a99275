import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as ConcurrencyLimiter from "@fiberkit/ratelimit/ConcurrencyLimiter"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { ConnectionFailed, FetchTimeout, HttpStatusError, InvalidOptions, InvalidUrl } from "../Errors.js"
import type * as Api from "../Fetch.js"

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "Fetch.fetchAll", field, expected, value })

/** Timeouts, connection failures, 5xx and 429 are worth another attempt; the rest are not. @internal */
export const isRetryable = (error: Api.FetchError): boolean =>
  error._tag === "FetchTimeout" || error._tag === "ConnectionFailed" ||
  (error._tag === "HttpStatusError" && (error.status >= 500 || error.status === 429))

const parse = (url: string): Either.Either<URL, InvalidUrl> => {
  try {
    const parsed = new URL(url)
    return parsed.protocol === "http:" || parsed.protocol === "https:"
      ? Either.right(parsed)
      : Either.left(new InvalidUrl({ url }))
  } catch {
    return Either.left(new InvalidUrl({ url }))
  }
}

const reasonOf = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause as { readonly cause?: { readonly code?: string }; readonly message?: string } | undefined
  return cause?.cause?.code ?? cause?.message ?? error.message
}

/** One attempt: the status checked, the body streamed and counted (kept only if asked). */
const attempt = (
  client: HttpClient.HttpClient,
  url: string,
  keepBody: boolean
): Effect.Effect<{ status: number; bytes: number; body: Uint8Array | undefined }, Api.FetchError> =>
  Effect.scoped(
    Effect.gen(function*() {
      const response = yield* client.get(url).pipe(
        Effect.mapError((error) => new ConnectionFailed({ url, reason: reasonOf(error) }))
      )
      if (response.status >= 400) return yield* new HttpStatusError({ url, status: response.status })
      const chunks = keepBody ? [] as Array<Uint8Array> : undefined
      const bytes = yield* Stream.runFold(response.stream, 0, (total, chunk: Uint8Array) => {
        chunks?.push(chunk)
        return total + chunk.length
      }).pipe(Effect.mapError((error) => new ConnectionFailed({ url, reason: reasonOf(error) })))
      let body: Uint8Array | undefined = undefined
      if (chunks !== undefined) {
        body = new Uint8Array(bytes)
        let at = 0
        for (const chunk of chunks) {
          body.set(chunk, at)
          at += chunk.length
        }
      }
      return { status: response.status, bytes, body }
    })
  )

/** @internal */
export const fetchAll = (
  urls: Iterable<string>,
  options: Api.FetchOptions
): Stream.Stream<Api.FetchOutcome, InvalidOptions, HttpClient.HttpClient> =>
  Stream.unwrap(
    Effect.gen(function*(): Effect.fn.Return<Stream.Stream<Api.FetchOutcome>, InvalidOptions, HttpClient.HttpClient> {
      const concurrency = options.concurrency
      if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
        return yield* invalid("concurrency", "an integer ≥ 1", concurrency)
      }
      const perHost = options.perHostLimit
      if (perHost !== undefined && (!Number.isSafeInteger(perHost) || perHost < 1)) {
        return yield* invalid("perHostLimit", "an integer ≥ 1", perHost)
      }
      const client = yield* HttpClient.HttpClient
      const timeout = options.timeout === undefined ? undefined : Duration.decode(options.timeout)
      const hosts = new Map<string, ConcurrencyLimiter.ConcurrencyLimiter>()
      const hostLimit = (host: string) =>
        Effect.suspend(() => {
          const known = hosts.get(host)
          if (known !== undefined || perHost === undefined) return Effect.succeed(known)
          return Effect.map(Effect.orDie(ConcurrencyLimiter.make(perHost)), (limiter) => {
            // checked again in the same step as the insert: two fibers never make two limiters
            const first = hosts.get(host)
            if (first !== undefined) return first
            hosts.set(host, limiter)
            return limiter
          })
        })
      const one = (url: string): Effect.Effect<Api.FetchOutcome> =>
        Effect.gen(function*() {
          let start: number | undefined = undefined
          const parsed = parse(url)
          if (Either.isLeft(parsed)) return Either.left(parsed.left)
          const limiter = yield* hostLimit(parsed.right.host)
          let tries = 0
          let request = Effect.flatMap(Clock.currentTimeMillis, (now) => {
            tries++
            start ??= now // the first attempt's start: waits for limits before it do not count
            return attempt(client, url, options.keepBody === true)
          })
          if (timeout !== undefined) {
            request = Effect.timeoutFail(request, {
              duration: timeout,
              onTimeout: () => new FetchTimeout({ url, millis: Duration.toMillis(timeout) })
            })
          }
          if (options.rateLimit !== undefined) request = options.rateLimit(request)
          if (limiter !== undefined) request = limiter(request)
          if (options.retry !== undefined) {
            request = Effect.retry(request, {
              schedule: options.retry as Schedule.Schedule<unknown, Api.FetchError>,
              while: isRetryable
            })
          }
          const exit = yield* Effect.either(request)
          const end = yield* Clock.currentTimeMillis
          return Either.map(exit, (result): Api.FetchResult => ({
            url,
            status: result.status,
            bytes: result.bytes,
            durationMillis: end - (start ?? end),
            attempts: tries,
            ...(result.body === undefined ? {} : { body: result.body })
          }))
        })
      // outcomes as each ends: a slow URL holds up nothing behind it
      return Stream.mapEffect(Stream.fromIterable(urls), one, { concurrency, unordered: true })
    })
  )

/** @internal */
export const summarize = <R>(
  results: Stream.Stream<Api.FetchOutcome, InvalidOptions, R>
): Effect.Effect<Api.FetchSummary, InvalidOptions, R> =>
  Effect.map(Stream.runCollect(results), (all) => {
    const outcomes = Chunk.toReadonlyArray(all)
    const successful = outcomes.filter(Either.isRight).map((outcome) => outcome.right)
    const failed = outcomes.filter(Either.isLeft).map((outcome) => outcome.left)
    return { successful, failed }
  })
