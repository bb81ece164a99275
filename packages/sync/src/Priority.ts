/**
 * Priorities for a line of waiters: the one rule by which fiberkit's pools and limiters
 * (`FiberPool`, `ConcurrencyLimiter`, `KeyedConcurrencyLimiter`, `RateLimiter`) turn a priority
 * into a place in line — a rank, lower served first, equal ranks first come, first served, as
 * `Permits.PermitPool` orders its waiters. A low-level building block for writing new limits.
 *
 * - **Strict** (no `aging`): the rank is `-priority`. Higher priorities go first, always: a
 *   steady stream of them can hold a lower one back for as long as it lasts.
 * - **Aging** (`aging: d`): the rank is `arrival − priority × d` (milliseconds), so a waiter of
 *   priority `p` is placed as if it had arrived `p × d` earlier. One step of priority is worth `d`
 *   of waiting: a waiter is overtaken only by arrivals within `(their priority − its priority) × d`
 *   after it, so nobody starves.
 *
 * Arrival times come from the Clock's monotonic time (`Clock.monotonicTimeNanos`, which `TestClock`
 * moves with `adjust` and forward `setTime`), never from the wall clock: a wall clock that steps
 * back (NTP, a resumed VM) would put later arrivals ahead of earlier ones. A `Ranking` counts them
 * from its own first use, so even an `aging` of a few nanoseconds stays a distinct rank (a double
 * holds a nanosecond apart for weeks of elapsed time, not at epoch-sized times), and never lets an
 * arrival's time go below the one before it: equal ranks then keep their order of arrival.
 *
 * A priority that is not a finite number, or (with aging) one so large that `priority × aging`
 * is no finite number of milliseconds, is a programming mistake: a defect
 * (`IllegalArgumentError`) naming the operation — not a rank that could not be told from the next.
 *
 * @since 0.3.0
 */
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { decodeNonNegative } from "./Durations.js"
import { InvalidOptions } from "./Errors.js"

/**
 * An `aging` option checked: its milliseconds, `undefined` when absent (strict priorities), or
 * `InvalidOptions` naming `operation`, the field `aging`, the range ("a finite duration > 0") and
 * the value.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Priority } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const millis = yield* Priority.decodeAging("MyLimit.make", "2 seconds") // 2000
 *   const strict = yield* Priority.decodeAging("MyLimit.make", undefined) // undefined
 *   const error = yield* Effect.flip(Priority.decodeAging("MyLimit.make", "0 millis"))
 *   return [millis, strict, error.message] // "MyLimit.make: aging must be a finite duration > 0, got 0 millis"
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const decodeAging = (operation: string, aging: unknown): Effect.Effect<number | undefined, InvalidOptions> => {
  if (aging === undefined) return Effect.succeed(undefined)
  const millis = decodeNonNegative(aging).pipe(Option.map(Duration.toMillis), Option.getOrUndefined)
  return millis !== undefined && millis > 0 && Number.isFinite(millis)
    ? Effect.succeed(millis)
    : Effect.fail(new InvalidOptions({ operation, field: "aging", expected: "a finite duration > 0", value: aging }))
}

/**
 * The rank of an arrival of `priority` on `clock` (lower ranks are served first): `-priority`
 * when `agingMillis` is `undefined` (strict), else `now − priority × agingMillis`, `now` being the
 * clock's monotonic time in milliseconds (its origin is arbitrary: compare ranks of one clock only;
 * a `Ranking` counts from its first use instead, which keeps tiny `aging` values exact). Not checked —
 * a priority that is not finite gives a rank that is not finite: `Ranking.withRank` makes that a
 * defect; use it unless the priority is already known to be good.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Priority, RankedLine } from "@fiberkit/sync"
 *
 * const line = new RankedLine.RankedLine<string>()
 * const add = (job: string, priority: number) =>
 *   Effect.clockWith((clock) => Effect.sync(() => line.push(job, Priority.rank(priority, clock, 1000))))
 * ```
 *
 * @since 0.3.0
 * @category utils
 */
export const rank = (priority: number, clock: Clock.Clock, agingMillis?: number | undefined): number =>
  agingMillis === undefined ? -priority : monotonicMillis(clock) - priority * agingMillis

const monotonicMillis = (clock: Clock.Clock): number => Number(clock.monotonicTimeNanosUnsafe()) / 1_000_000

/**
 * How one line ranks priorities: strictly, or with aging. Made once per pool or limiter, used
 * at every arrival.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Permits, Priority } from "@fiberkit/sync"
 *
 * // a limit of 2 whose waiters are served by priority, aged 1 second per step
 * const pool = new Permits.PermitPool(2)
 * const ranking = new Priority.Ranking("MyLimit.withPriority", 1000)
 * const withPriority = (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
 *   ranking.withRank(priority, (rank) =>
 *     Effect.uninterruptibleMask((restore) =>
 *       pool.takeThen(1, restore, Effect.ensuring(restore(effect), Effect.sync(() => pool.release(1))), rank)
 *     ))
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export class Ranking {
  /**
   * `operation` names the call in the defects (e.g. `"RateLimiter.withPriority"`);
   * `agingMillis` is what one step of priority is worth in waiting time, as `decodeAging`
   * returns it — a finite number > 0, or `undefined` for strict priorities. Any other
   * `agingMillis` throws `IllegalArgumentError`.
   */
  constructor(readonly operation: string, readonly agingMillis: number | undefined) {
    if (agingMillis !== undefined && !(agingMillis > 0 && Number.isFinite(agingMillis))) {
      throw new Cause.IllegalArgumentError(
        `Priority.Ranking: agingMillis must be a finite number > 0 or undefined, got ${agingMillis}`
      )
    }
  }

  /** Whether priorities are strict (no aging): the rank does not depend on the time of arrival. */
  get isStrict(): boolean {
    return this.agingMillis === undefined
  }

  /** The monotonic time of this ranking's first aged arrival, in nanoseconds: its origin of time. */
  private origin: bigint | undefined = undefined
  /** The latest arrival time given, in milliseconds since `origin`: no arrival is given an earlier one. */
  private latest = 0

  /**
   * `f` given the rank of an arrival of `priority` now: `-priority`, or with aging
   * `now − priority × aging`, `now` in milliseconds of the Clock's monotonic time since this
   * ranking's first use (never less than the previous arrival's). Strict priority 0 — the common case — is `f(0)` at
   * once, without reading the clock or checking anything. A rank that would not be a finite
   * number is a defect.
   */
  withRank<A, E, R>(priority: number, f: (rank: number) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    const aging = this.agingMillis
    if (aging === undefined) {
      if (priority === 0) return f(0)
      return Number.isFinite(priority) ? f(-priority) : this.notFinite(priority)
    }
    if (!Number.isFinite(priority)) return this.notFinite(priority)
    return Effect.clockWith((clock) => {
      const rank = this.rank(priority, clock)
      // a priority so large that priority × aging is no number: it could not be told from the next
      return Number.isFinite(rank) ? f(rank) : this.overflows(priority)
    })
  }

  /**
   * `f` given the rank of `priority` without its arrival, for a line that adds the arrival itself
   * on a clock of its own (a line kept in Redis, on Redis's clock): `-priority` when strict (the
   * rank itself), or with aging `-priority × aging`, which the line adds to the arrival in
   * milliseconds. Priority 0 is `f(0)`. The same defects as `withRank`.
   */
  withRelativeRank<A, E, R>(priority: number, f: (relative: number) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    if (priority === 0) return f(0)
    if (!Number.isFinite(priority)) return this.notFinite(priority)
    const relative = -priority * (this.agingMillis ?? 1)
    return Number.isFinite(relative) ? f(relative) : this.overflows(priority)
  }

  /**
   * The rank of an arrival of `priority` now on `clock` (not checked: a priority that is not
   * finite gives a rank that is not finite; `withRank` makes that a defect).
   */
  rank(priority: number, clock: Clock.Clock): number {
    const aging = this.agingMillis
    return aging === undefined ? -priority : this.arrival(clock) - priority * aging
  }

  /** Now, in milliseconds since the first arrival, on the monotonic clock — and never going back. */
  private arrival(clock: Clock.Clock): number {
    const now = clock.monotonicTimeNanosUnsafe()
    if (this.origin === undefined) this.origin = now
    const elapsed = Number(now - this.origin) / 1_000_000
    // a clock other than the monotonic one of a single runtime may go back: clamp, keep order
    if (elapsed > this.latest) this.latest = elapsed
    return this.latest
  }

  private overflows(priority: number): Effect.Effect<never> {
    return Effect.die(
      new Cause.IllegalArgumentError(
        `${this.operation}: priority × aging must be a finite number of milliseconds, got ${priority} × ${this.agingMillis}`
      )
    )
  }

  private notFinite(priority: number): Effect.Effect<never> {
    return Effect.die(
      new Cause.IllegalArgumentError(`${this.operation}: priority must be a finite number, got ${priority}`)
    )
  }
}
