/**
 * The typed failures of `@fiberkit/pipelines`: each belongs to one URL or one file, and is
 * reported in the results — it never stops the others.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range, e.g. `concurrency` below 1.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * The URL could not be parsed, or is not http(s).
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
 * No answer within the timeout (the last attempt's).
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
 * The request could not be made: connection refused, reset, DNS failure …
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
 * is not a redirect (300, 304 …). `url` is the URL asked for.
 *
 * @since 0.1.0
 * @category errors
 */
export class HttpStatusError extends Data.TaggedError("HttpStatusError")<{
  readonly url: string
  readonly status: number
}> {
  override get message(): string {
    return `${this.url}: HTTP ${this.status}`
  }
}

/**
 * A redirect past the limit (`maxRedirects`, default 20): `location` is the one not followed.
 * `url` is the URL asked for. Not retried.
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
 * FIFO, a socket, a device: the reason says `not a regular file (FIFO)`).
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
