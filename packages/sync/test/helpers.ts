import { Cause, Context, Effect, Exit, type Fiber, Scheduler } from "effect"

/** Interrupted, and nothing else (Effect 3's `Exit.isInterrupted`). */
export const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

/**
 * Makes a suspended fiber yield before the first op it runs once woken (a budget of one op per
 * slice). Effect 4 runs a woken fiber inline, inside the call that wakes it; with this, an
 * interrupt sent right after the wake-up lands before the fiber has resumed, as it could on
 * Effect 3, whose wake-ups went through the scheduler.
 */
export const yieldOnWake = <A, E>(fiber: Fiber.Fiber<A, E>): void =>
  fiber.setContext(Context.add(fiber.context, Scheduler.MaxOpsBeforeYield, 1))

/** The message of the `IllegalArgumentError` defect `effect` dies with; "no defect" otherwise. */
export const misuseMessage = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<string> =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (!Exit.isFailure(exit) || !Cause.hasDies(exit.cause)) return "no defect"
    const defect = Cause.squash(exit.cause)
    return Cause.isIllegalArgumentError(defect) ? defect.message : `another defect: ${String(defect)}`
  })
