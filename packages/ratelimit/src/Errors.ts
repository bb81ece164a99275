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
  InvalidOptions
} from "@fiberkit/sync/Errors"
