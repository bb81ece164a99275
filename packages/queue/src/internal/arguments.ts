/**
 * The checks of per-call arguments that can only be wrong by a programming mistake: each gives
 * the defect to die with (`IllegalArgumentError`, naming the operation and the value), made
 * before the operation touches the queue. (Durations: `@fiberkit/sync`'s `Handoff.decodeDeadline`.)
 */
import * as Cause from "effect/Cause"

/**
 * A count argument (`takeUpTo`'s and `takeBatch`'s `max`, `toStream`'s `chunkSize`) must be an integer ≥ 1 or
 * `Infinity`; anything else is a programming mistake: the defect to die with. (`max` < 1 used to
 * take nothing, and `toStream` then pulled empty chunks for ever.)
 *
 * @internal
 */
export const invalidCount = (
  operation: string,
  field: string,
  value: number
): Cause.IllegalArgumentError | undefined =>
  value === Number.POSITIVE_INFINITY || (Number.isInteger(value) && value >= 1)
    ? undefined
    : new Cause.IllegalArgumentError(
      `${operation}: ${field} must be an integer ≥ 1 (or Infinity), got ${String(value)}`
    )
