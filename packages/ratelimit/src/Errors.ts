/**
 * The typed errors of `@fiberkit/ratelimit`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option of a `make` outside its range: a `limit` or `interval` below 1, an unknown
   * `algorithm`, a `burst` below 1 or that the algorithm does not take, a `concurrency` below 1,
   * an `idleTimeout` below 1 ms. `make` fails with it before the limiter exists. (A cost out of
   * range in `withCost` or `take` is a programming mistake: a defect, not this error.)
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * declare const perSecond: number // from the configuration
   * const limiter = RateLimiter.make({ limit: perSecond, interval: "1 second" }).pipe(
   *   Effect.catchTag("InvalidOptions", (error) =>
   *     Effect.andThen(
   *       Effect.logWarning(`${error.message}; 10 per second instead`),
   *       RateLimiter.make({ limit: 10, interval: "1 second" })
   *     ))
   * )
   * ```
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions,
  /**
   * A limiter's bound on waiting uses was reached (`maxPending`): with `onFull: "fail"` the new
   * arrival gets it at once, with `"dropOldest"` the use that had waited longest does.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { ConcurrencyLimiter, Errors } from "@fiberkit/ratelimit"
   *
   * const shed = (error: Errors.PendingLimitExceeded) =>
   *   Effect.logWarning(error.dropped ? "dropped for a newer request" : "refused: too many waiting")
   * const program = Effect.gen(function*() {
   *   const limit = yield* ConcurrencyLimiter.make({ concurrency: 2, maxPending: 10, onFull: "dropOldest" })
   *   yield* limit(Effect.log("in")).pipe(Effect.catchTag("PendingLimitExceeded", shed))
   * })
   * ```
   *
   * @since 0.3.0
   * @category errors
   */
  PendingLimitExceeded
} from "@fiberkit/sync/Errors"

/**
 * A limiter on Redis (`RedisRateLimiter`, `RedisConcurrencyLimiter`) could not decide: Redis did
 * not answer (unreachable, or no reply within `commandTimeout`), a command failed, or a holder's
 * lease could not be renewed before it expired. There is no local fallback: a limit shared by
 * many processes cannot be kept by one of them alone, so the limited effect does not run (or, for
 * a lost lease, is interrupted) and this error is in its error channel. What to do is the
 * caller's choice: retry on a `Schedule`, fail the request, or fall back deliberately.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
 *
 * declare const limiter: RedisRateLimiter.DistributedRateLimiter
 * declare const callApi: Effect.Effect<string>
 * // Redis down: try again 3 times, 200 ms apart, then give up with a log line
 * const call = limiter(callApi).pipe(
 *   Effect.retry({ while: (e) => e._tag === "RedisLimiterUnavailable", schedule: Schedule.spaced("200 millis"), times: 3 }),
 *   Effect.tapError((error) => Effect.logError(error.message))
 * )
 * ```
 *
 * @since 0.4.0
 * @category errors
 */
export class RedisLimiterUnavailable extends Data.TaggedError("RedisLimiterUnavailable")<{
  /** The shared limit's name, as given to `make`. */
  readonly limiter: string
  /** What could not be done: `"connect"`, `"take"`, `"acquire"`, `"release"`, `"renew"`, `"read"`. */
  readonly operation: string
  /** Why: the client's error, or a description of the timeout or the lost lease. */
  readonly cause: unknown
}> {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Redis limiter "${this.limiter}": ${this.operation} failed: ${reason}`
  }
}
