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
 * The server answered with an error status (4xx or 5xx).
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
