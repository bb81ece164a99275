/**
 * The typed errors of `@fiberkit/ratelimit`.
 *
 * @since 0.1.0
 */

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
