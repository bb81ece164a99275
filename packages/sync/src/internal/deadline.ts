import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

/**
 * Runs `body` with a timer: after `duration`, `expire` runs (synchronously, in a timer fiber)
 * unless `body` has ended. The wait itself stays in the calling fiber — unlike
 * `Effect.timeout`, which runs it in a child fiber whose result is thrown away if the timer
 * wins, even when the child had just been handed a lock. `expire` decides from the waiter's own
 * state, so a hand-off and an expiry at the same instant cannot both happen.
 *
 * @internal
 */
export const withDeadline = <A, E, R>(
  duration: Duration.DurationInput,
  expire: () => void,
  body: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.fork(Effect.interruptible(Effect.zipRight(Effect.sleep(duration), Effect.sync(expire)))),
    (timer) => Effect.ensuring(body, Fiber.interrupt(timer))
  )
