import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as TestClock from "effect/TestClock"

const isTestClock = (clock: Clock.Clock): clock is Clock.Clock & TestClock.TestClock =>
  "adjust" in clock && "sleeps" in clock

/**
 * A few yields: enough for fibers woken a moment ago to run up to their next suspension.
 *
 * @internal
 */
export const yields: Effect.Effect<void> = Effect.asVoid(Effect.repeatN(Effect.yieldNow(), 8))

/**
 * Lets every fiber run until it suspends. Under the `TestClock`, `adjust(0)` waits until every
 * supervised fiber is suspended or done and moves the clock by nothing; then a few yields let
 * the work that the last wake-ups scheduled (finalizers, `ensuring` blocks) run too. Under the
 * live clock only the yields are done.
 *
 * @internal
 */
export const settle: Effect.Effect<void> = Effect.clockWith((clock) =>
  isTestClock(clock) ? Effect.zipRight(clock.adjust(0), yields) : yields
)
