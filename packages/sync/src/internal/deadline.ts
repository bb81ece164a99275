import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"

/**
 * Decodes the duration of a timed wait, before the caller joins any line: a `DurationInput`
 * that `Duration.decode` rejects (`"1e-7 seconds"`, `"NaN millis"`) can only be a programming
 * mistake, so it is a defect (`IllegalArgumentError`) whose message names `operation` and
 * the value. Decoding it later — in the timer, after the waiter joined its line — would leave a
 * waiter whose fiber is gone, and it would take the next lock, permit or notification handed on.
 *
 * @internal
 */
export const decodeDeadline = (
  operation: string,
  input: Duration.Input
): Effect.Effect<Duration.Duration> => {
  const decoded = Duration.fromInput(input)
  return Option.isSome(decoded)
    ? Effect.succeed(decoded.value)
    : Effect.die(
      new Cause.IllegalArgumentError(
        `${operation}: duration must be a Duration.Input, got ${String(input)}`
      )
    )
}

/**
 * Runs `body` with a timer: after `duration`, `expire` runs (synchronously, in a timer fiber)
 * unless `body` has ended. The wait itself stays in the calling fiber — unlike
 * `Effect.timeout`, which runs it in a child fiber whose result is thrown away if the timer
 * wins, even when the child had just been handed a lock. `expire` decides from the waiter's own
 * state, so a hand-off and an expiry at the same instant cannot both happen.
 *
 * The timer is a daemon, not a child of the waiting fiber: an interrupted fiber interrupts its
 * children at once, even while it is uninterruptible (an `acquireRelease`'s acquire, a finalizer)
 * and so goes on waiting — a child timer would die and the wait would never time out. The
 * timer is interrupted when `body` ends, however it ends, so it never outlives the wait.
 *
 * @internal
 */
export const withDeadline = <A, E, R>(
  duration: Duration.Input,
  expire: () => void,
  body: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(
      Effect.forkDetach(Effect.interruptible(Effect.andThen(Effect.sleep(duration), Effect.sync(expire)))),
      (timer) => Effect.ensuring(restore(body), Fiber.interrupt(timer))
    )
  )
