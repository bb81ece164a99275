/**
 * Clocks other than the test's, as another fiber's `Clock` may be (a `provideService` around a
 * monitoring read, a layer shared by tests with their own TestClock): reads on them must change
 * nothing.
 */
import type { Clock } from "effect"
import { Effect } from "effect"

/** A Clock that always reads `millis` (and never wakes a sleep). */
export const fixedAt = (millis: number): Clock.Clock => {
  const nanos = BigInt(millis) * 1_000_000n
  return {
    currentTimeMillisUnsafe: () => millis,
    currentTimeMillis: Effect.succeed(millis),
    currentTimeNanosUnsafe: () => nanos,
    currentTimeNanos: Effect.succeed(nanos),
    monotonicTimeNanosUnsafe: () => nanos,
    monotonicTimeNanos: Effect.succeed(nanos),
    sleep: () => Effect.never
  }
}

/** One hour ahead of the TestClock's start. */
export const hourAhead: Clock.Clock = fixedAt(3_600_000)

/** `clock` shifted by `offset` ms (its sleeps are its own). */
export const shifted = (clock: Clock.Clock, offset: number): Clock.Clock => {
  const shift = BigInt(offset) * 1_000_000n
  const monotonic = () => clock.monotonicTimeNanosUnsafe() + shift
  const wall = () => clock.currentTimeNanosUnsafe() + shift
  return {
    currentTimeMillisUnsafe: () => clock.currentTimeMillisUnsafe() + offset,
    currentTimeMillis: Effect.sync(() => clock.currentTimeMillisUnsafe() + offset),
    currentTimeNanosUnsafe: wall,
    currentTimeNanos: Effect.sync(wall),
    monotonicTimeNanosUnsafe: monotonic,
    monotonicTimeNanos: Effect.sync(monotonic),
    sleep: (duration) => clock.sleep(duration)
  }
}
