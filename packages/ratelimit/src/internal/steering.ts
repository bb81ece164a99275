import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Priority from "@fiberkit/sync/Priority"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"

/** What a bounded line does when full (`"wait"` is the unbounded line: a caller's fiber already waits). @internal */
export type OnFull = "fail" | "dropOldest"

/** How a limiter bounds its line of waiters. @internal */
export interface Bound {
  /** The name in `PendingLimitExceeded`, e.g. `"RateLimiter"`. */
  readonly source: string
  readonly maxPending: number | undefined
  readonly onFull: OnFull
}

/** The error of a full line, `pending` waiting: for the newcomer, or (`dropped`) the one sent away. @internal */
export const shed = (bound: Bound, pending: number, dropped: boolean): PendingLimitExceeded =>
  new PendingLimitExceeded({ source: bound.source, maxPending: bound.maxPending!, pending, dropped })

/** The steering options every local limiter takes, as given. @internal */
export interface SteeringOptions {
  readonly maxPending?: number | undefined
  readonly onFull?: OnFull | undefined
  readonly aging?: unknown
}

/** The steering options checked: the bound on the line, and how priorities rank. @internal */
export interface Steering {
  readonly maxPending: number | undefined
  readonly onFull: OnFull
  /** Milliseconds one step of priority is worth in waiting time; `undefined`: strict priorities. */
  readonly agingMillis: number | undefined
}

/**
 * Checks `maxPending` (an integer ≥ 0), `onFull` (`"fail"`, the default, or `"dropOldest"`) and
 * `aging` (a finite duration > 0), in that order: `InvalidOptions` naming `operation` otherwise.
 *
 * @internal
 */
export const resolveSteering = (
  operation: string,
  options: SteeringOptions
): Effect.Effect<Steering, InvalidOptions> => {
  const { maxPending } = options
  if (maxPending !== undefined && !(Number.isSafeInteger(maxPending) && maxPending >= 0)) {
    return Effect.fail(
      new InvalidOptions({ operation, field: "maxPending", expected: "an integer ≥ 0", value: maxPending })
    )
  }
  const onFull = options.onFull ?? "fail"
  if (onFull !== "fail" && onFull !== "dropOldest") {
    return Effect.fail(
      new InvalidOptions({ operation, field: "onFull", expected: `"fail" or "dropOldest"`, value: onFull })
    )
  }
  return Effect.map(
    Priority.decodeAging(operation, options.aging),
    (agingMillis) => ({ maxPending, onFull, agingMillis })
  )
}
