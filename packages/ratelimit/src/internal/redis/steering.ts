import * as Effect from "effect/Effect"
import { type InvalidOptions, RedisLimiterUnavailable } from "../../Errors.js"
import { type Bound, type OnFull, resolveSteering, shed, type SteeringOptions } from "../steering.js"

/**
 * This process's bound on the requests waiting for a limiter on Redis, checked at `make` as the
 * local limiters check theirs: a `maxPending` (an integer ≥ 0, or none) and what to do when it
 * is reached.
 *
 * @internal
 */
export class PendingBound implements Bound {
  constructor(readonly source: string, readonly maxPending: number | undefined, readonly onFull: OnFull) {}

  /** The error of a request refused (`dropped: false`) or dropped for a newer one (`true`). */
  exceeded(pending: number, dropped: boolean): ReturnType<typeof shed> {
    return shed(this, pending, dropped)
  }

  /**
   * Room for one more waiter in a line of `size`: within `maxPending`, or with `"dropOldest"` if
   * `dropOldest(maxPending)` dropped one.
   */
  roomFor(size: number, dropOldest: (maxPending: number) => boolean): boolean {
    const { maxPending, onFull } = this
    if (maxPending === undefined || size < maxPending) return true
    return onFull === "dropOldest" && dropOldest(maxPending)
  }
}

/** The error of a request whose limiter's scope closed while it waited (or its try was on its way). @internal */
export const scopeClosed = (limiter: string, operation: string): RedisLimiterUnavailable =>
  new RedisLimiterUnavailable({
    limiter,
    operation,
    cause: new Error("the limiter's scope closed while the request waited")
  })

/** `maxPending`, `onFull` and `aging` checked by the local limiters' `resolveSteering`. @internal */
export const pendingBound = (
  source: string,
  options: SteeringOptions
): Effect.Effect<{ readonly bound: PendingBound; readonly agingMillis: number | undefined }, InvalidOptions> =>
  Effect.map(resolveSteering(`${source}.make`, options), (steering) => ({
    bound: new PendingBound(source, steering.maxPending, steering.onFull),
    agingMillis: steering.agingMillis
  }))
