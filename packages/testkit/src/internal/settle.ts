import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as TestClock from "effect/testing/TestClock"

const isTestClock = (clock: Clock.Clock): clock is TestClock.TestClock => "adjust" in clock && "setTime" in clock

/**
 * A few yields: enough for fibers woken a moment ago to run up to their next suspension.
 *
 * @internal
 */
export const yields: Effect.Effect<void> = Effect.asVoid(Effect.repeat(Effect.yieldNow, { times: 8 }))

/**
 * Lets every fiber run until it suspends. Under the `TestClock`, `adjust(0)` wakes what is due
 * now and waits for the fibers it woke to suspend, moving the clock by nothing; then a few yields
 * let the work that the last wake-ups scheduled (finalizers, `ensuring` blocks) run too. Under
 * the live clock only the yields are done.
 *
 * @internal
 */
export const settle: Effect.Effect<void> = Effect.clockWith((clock) =>
  isTestClock(clock) ? Effect.andThen(clock.adjust(0), yields) : yields
)
