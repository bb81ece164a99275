/**
 * The checks of per-call arguments that can only be wrong by a programming mistake: each gives
 * the defect to die with (`IllegalArgumentException`, naming the operation and the value), made
 * before the operation touches the queue.
 */
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * A count argument (`takeUpTo`'s `max`, `toStream`'s `chunkSize`) must be an integer ≥ 1 or
 * `Infinity`; anything else is a programming mistake: the defect to die with. (`max` < 1 used to
 * take nothing, and `toStream` then pulled empty chunks for ever.)
 *
 * @internal
 */
export const invalidCount = (
  operation: string,
  field: string,
  value: number
): Cause.IllegalArgumentException | undefined =>
  value === Number.POSITIVE_INFINITY || (Number.isSafeInteger(value) && value >= 1)
    ? undefined
    : new Cause.IllegalArgumentException(
      `${operation}: ${field} must be an integer ≥ 1 (or Infinity), got ${String(value)}`
    )

/**
 * The duration of `takeFor` / `putFor`, decoded when the call is made — before the waiter joins
 * its line: a `DurationInput` that `Duration.decode` rejects (`"1e-7 seconds"`) can only be a
 * programming mistake, so the defect to die with, naming the operation and the value. Decoded
 * later (by the timer, after the waiter joined), it left a waiter whose fiber was gone: the next
 * item was reserved for it and lost, or a slot was kept for ever.
 *
 * Note: `@fiberkit/sync` is getting a shared helper for this (`decodeDeadline`, same message);
 * use it here once it is public.
 *
 * @internal
 */
export const decodeDuration = (
  operation: string,
  input: Duration.DurationInput
): Duration.Duration | Cause.IllegalArgumentException => {
  const decoded = Duration.decodeUnknown(input)
  return Option.isSome(decoded)
    ? decoded.value
    : new Cause.IllegalArgumentException(
      `${operation}: duration must be a Duration.DurationInput, got ${String(input)}`
    )
}
