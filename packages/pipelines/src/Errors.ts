/**
 * The typed failures of `@fiberkit/pipelines`: each belongs to one URL or one file, and is
 * reported in the results — it never stops the others. `InvalidOptions` is the exception: it
 * fails the whole stream, before any work starts.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range, e.g. `concurrency` below 1: it fails the stream of `fetchAll`,
   * `processFiles` or `batch` before any work starts, naming the field and the value.
   *
   * **Example**
   *
   * ```ts
   * import { Console, Effect } from "effect"
   * import { Fetch } from "@fiberkit/pipelines"
   *
   * declare const concurrency: number // from the command line
   * const program = Fetch.summarize(Fetch.fetchAll(["https://example.com"], { concurrency })).pipe(
   *   Effect.catchTag("InvalidOptions", (error) => Console.error(`${error.field}: ${error.message}`))
   * )
   * ```
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * The URL could not be parsed, or is not http(s). It is that URL's outcome, at once: no request is
 * made, and it is not retried.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const rejected = Effect.map(
 *   Fetch.summarize(Fetch.fetchAll(["https://example.com", "ftp://example.com", "not a url"], { concurrency: 2 })),
 *   (summary) => summary.failed.flatMap((error) => error._tag === "InvalidUrl" ? [error.url] : [])
 * ) // ["ftp://example.com", "not a url"]
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidUrl extends Data.TaggedError("InvalidUrl")<{ readonly url: string }> {
  override get message(): string {
    return `not an http(s) URL: ${this.url}`
  }
}

/**
 * No answer within the timeout (the last attempt's): `FetchOptions.timeout`, for each attempt,
 * its redirects and a 2xx body included. Retried on the `retry` schedule.
 *
 * **Example**
 *
 * ```ts
 * import { Result, Stream } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const timedOut = Fetch.fetchAll(["https://example.com/report"], { concurrency: 1, timeout: "2 seconds" }).pipe(
 *   Stream.filter((outcome) => Result.isFailure(outcome) && outcome.failure._tag === "FetchTimeout"),
 *   Stream.runCount
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FetchTimeout extends Data.TaggedError("FetchTimeout")<{ readonly url: string; readonly millis: number }> {
  override get message(): string {
    return `${this.url}: no answer within ${this.millis} ms`
  }
}

/**
 * The request could not be made: connection refused, reset, DNS failure … `reason` says which.
 * Retried on the `retry` schedule.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * // each outcome as an effect, its failure in the error channel: a host down counts as 0
 * const statuses = Fetch.fetchAll(["http://localhost:9/a", "https://example.com"], { concurrency: 2 }).pipe(
 *   Stream.mapEffect((outcome) =>
 *     Effect.fromResult(outcome).pipe(
 *       Effect.map((result) => result.status),
 *       Effect.catchTag("ConnectionFailed", (error) => Effect.as(Effect.logWarning(error.reason), 0))
 *     )
 *   ),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionFailed extends Data.TaggedError("ConnectionFailed")<{
  readonly url: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.url}: ${this.reason}`
  }
}

/**
 * The final answer, after the redirects, had a status that is not 2xx: 4xx or 5xx, or a 3xx that
 * is not a redirect (300, 304 …). `url` is the URL asked for. A 5xx or a 429 is retried on the
 * `retry` schedule, other statuses are not (`Fetch.isRetryable`). A 429 or 503 with a valid
 * `Retry-After` carries the wait it asked for in `retryAfterMillis`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const broken = Effect.map(
 *   Fetch.summarize(Fetch.fetchAll(["https://example.com/a", "https://example.com/b"], { concurrency: 2 })),
 *   (summary) => summary.failed.filter((error) => error._tag === "HttpStatusError" && error.status === 404)
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class HttpStatusError extends Data.TaggedError("HttpStatusError")<{
  readonly url: string
  readonly status: number
  /**
   * The wait a `429` or `503` asked for with its `Retry-After`, in ms (as the server said, before
   * any `maxRetryAfter` cap); absent without a valid one.
   */
  readonly retryAfterMillis?: number | undefined
}> {
  override get message(): string {
    const retryAfter = this.retryAfterMillis === undefined ? "" : ` (Retry-After: ${this.retryAfterMillis / 1000} s)`
    return `${this.url}: HTTP ${this.status}${retryAfter}`
  }
}

/**
 * A redirect past the limit (`maxRedirects`, default 20): `location` is the one not followed.
 * `url` is the URL asked for. Not retried.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const loops = Effect.map(
 *   Fetch.summarize(Fetch.fetchAll(["https://example.com/moved"], { concurrency: 1, maxRedirects: 5 })),
 *   (summary) => summary.failed.flatMap((error) => error._tag === "TooManyRedirects" ? [error.location] : [])
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TooManyRedirects extends Data.TaggedError("TooManyRedirects")<{
  readonly url: string
  readonly maxRedirects: number
  readonly location: string
}> {
  override get message(): string {
    return `${this.url}: more than ${this.maxRedirects} redirects (the next to ${this.location})`
  }
}

/**
 * A redirect (301, 302, 303, 307, 308) without a usable `Location`: none, or not an http(s) URL.
 * `url` is the URL asked for; `location` is the header as received. Not retried.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const report = Fetch.summarize(Fetch.fetchAll(["https://example.com/go"], { concurrency: 1 })).pipe(
 *   Effect.flatMap((summary) =>
 *     Effect.forEach(summary.failed, (error) =>
 *       error._tag === "InvalidRedirect"
 *         ? Console.error(`${error.url}: HTTP ${error.status} to ${error.location ?? "nowhere"}`)
 *         : Effect.void)
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRedirect extends Data.TaggedError("InvalidRedirect")<{
  readonly url: string
  readonly status: number
  readonly location: string | undefined
}> {
  override get message(): string {
    return this.location === undefined
      ? `${this.url}: HTTP ${this.status} without a Location`
      : `${this.url}: HTTP ${this.status} to ${this.location}, not an http(s) URL`
  }
}

/**
 * With `keepBody`, a body longer than `maxBodyBytes` (default 16 MiB): known by its
 * `content-length` before any read, or as it is read; the rest is not read. Not retried.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Fetch } from "@fiberkit/pipelines"
 *
 * const bodies = Fetch.fetchAll(["https://example.com/data.json"], {
 *   concurrency: 1,
 *   keepBody: true,
 *   maxBodyBytes: 1024 * 1024
 * }).pipe(
 *   Fetch.summarize,
 *   Effect.map((summary) => summary.failed.filter((error) => error._tag === "BodyTooLarge").map((error) => error.url))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BodyTooLarge extends Data.TaggedError("BodyTooLarge")<{
  readonly url: string
  readonly maxBodyBytes: number
}> {
  override get message(): string {
    return `${this.url}: a body over ${this.maxBodyBytes} bytes, the most kept (maxBodyBytes)`
  }
}

/**
 * A file that could not be read: missing, no permission, or not a regular file (a directory, a
 * FIFO, a socket, a device: the reason says `not a regular file (FIFO)`). In `processFiles` it is
 * that path's outcome (`Result.fail`); a processor run on its own fails with it.
 *
 * **Example**
 *
 * ```ts
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import { Effect } from "effect"
 * import { Files } from "@fiberkit/pipelines"
 *
 * const lines = Files.lineCount("maybe-missing.csv").pipe(
 *   Effect.catchTag("FileUnreadable", (error) => Effect.as(Effect.logWarning(error.message), 0)),
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FileUnreadable extends Data.TaggedError("FileUnreadable")<{
  readonly path: string
  readonly reason: string
}> {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}
