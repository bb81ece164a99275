/**
 * A concurrency limit: at most `concurrency` effects inside at once — the guide's `RateLimitedAPI`
 * semaphore. It bounds how many run, not how many start per second (for that, a
 * `RateLimiter`); API clients usually need both. Waiters enter first-come first-served, and a
 * permit is never lost to an interruption.
 *
 * Limits you can steer (p-limit, p-queue and bottleneck's most requested features):
 * - **Priorities:** `withPriority(p)(effect)` — higher first, equal priorities first come, first
 *   served. Strict by default; with `aging`, a priority step is worth `aging` of waiting, so no
 *   waiter starves: one of priority `p` is served as if it had arrived `p × aging` earlier.
 * - **Resize:** `resize(n)` at runtime; a grow lets waiters in at once, a shrink preempts no one.
 * - **Load shedding:** `maxPending` bounds the waiters; when full, `onFull: "fail"` refuses the
 *   newcomer and `"dropOldest"` drops the longest waiter — both with `PendingLimitExceeded`.
 *   (`"wait"` is the unbounded line: a caller's fiber already waits for its turn.)
 * - **Draining:** `awaitIdle` and `awaitSizeBelow(n)`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { InvalidOptions, PendingLimitExceeded } from "./Errors.js"
import * as internal from "./internal/concurrencyLimiter.js"

/**
 * A limiter made by `make`: apply it to an effect to run that effect within the limit. It also
 * says how many effects are inside and how many wait.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limit: ConcurrencyLimiter.ConcurrencyLimiter = yield* ConcurrencyLimiter.make({ concurrency: 2 })
 *   yield* Effect.forkChild(Effect.forEach([1, 2, 3], () => limit(Effect.sleep("1 second")), { concurrency: 3 }))
 *   yield* Effect.sleep("10 millis")
 *   return { inside: yield* limit.inside, waiting: yield* limit.waiting } // { inside: 2, waiting: 1 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ConcurrencyLimiter<out X = never> {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | X, R>
  /** The most effects inside at once: the number it was made with, or the last `resize`'s. */
  readonly concurrency: number
  /** Effects inside now (above `concurrency` after a shrink, until enough have left). */
  readonly inside: Effect.Effect<number>
  /** Effects waiting to enter. */
  readonly waiting: Effect.Effect<number>
  /**
   * The limiter for an effect of priority `priority` (a finite number; higher enters first; the
   * plain limiter is priority 0). A priority that is not finite is a defect.
   */
  readonly withPriority: (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X, R>
  /**
   * Changes `concurrency` while in use (an integer ≥ 1, else `InvalidOptions`): a grow lets
   * waiters in at once, in their order; a shrink never interrupts an effect inside — new ones
   * wait until fewer than the new limit are inside.
   */
  readonly resize: (concurrency: number) => Effect.Effect<void, InvalidOptions>
  /** Waits until no effect is inside or waiting. */
  readonly awaitIdle: Effect.Effect<void>
  /** Waits until fewer than `size` effects are waiting. */
  readonly awaitSizeBelow: (size: number) => Effect.Effect<void>
}

/**
 * @since 0.3.0
 */
export declare namespace ConcurrencyLimiter {
  /**
   * The options of {@link make}.
   *
   * **Example**
   *
   * ```ts
   * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
   *
   * const options: ConcurrencyLimiter.ConcurrencyLimiter.Options = { concurrency: 3, name: "db" }
   * const limiter = ConcurrencyLimiter.make(options)
   * ```
   *
   * @since 0.3.0
   * @category models
   */
  export interface Options {
    /** The most effects inside at once, an integer ≥ 1. */
    readonly concurrency: number
    /** The limiter's name in a Timeline (`@fiberkit/observe`) and its metrics' `group`. Default: its number, in order of creation. */
    readonly name?: string | undefined
    /**
     * The most effects waiting to enter, an integer ≥ 0 (0: never wait). Default: no bound. With
     * a bound, the limiter's effects can fail with `PendingLimitExceeded`.
     */
    readonly maxPending?: number | undefined
    /** With `maxPending`: refuse the newcomer (`"fail"`, the default) or drop the longest waiter (`"dropOldest"`). */
    readonly onFull?: "fail" | "dropOldest" | undefined
    /**
     * What one step of priority is worth in waiting time (a duration > 0): a waiter of priority
     * `p` ranks as if it had come `p × aging` earlier, so a low priority waits at most the
     * difference of priorities × `aging` behind later arrivals. Default: strict priorities.
     */
    readonly aging?: Duration.Input | undefined
  }
}

/**
 * Makes a limiter that lets `concurrency` effects in at once (an integer ≥ 1; otherwise
 * `InvalidOptions`). With `maxPending`, its effects may also fail with `PendingLimitExceeded`.
 * The type follows the options' static type: write `maxPending` (and `onFull`) in the options
 * themselves — options widened to a type without them still bound the line at run time, but the
 * result's type would not say so.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limit = yield* ConcurrencyLimiter.make({ concurrency: 3 })
 *   const request = (endpoint: string) => Effect.as(Effect.sleep("500 millis"), `Response from ${endpoint}`)
 *   // at most 3 requests in flight
 *   return yield* Effect.forEach(["/users", "/products", "/orders", "/reports"], (e) => limit(request(e)), {
 *     concurrency: "unbounded"
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make(
  options: ConcurrencyLimiter.Options & { readonly maxPending: number }
): Effect.Effect<ConcurrencyLimiter<PendingLimitExceeded>, InvalidOptions>
export function make(
  options: ConcurrencyLimiter.Options & { readonly maxPending?: undefined }
): Effect.Effect<ConcurrencyLimiter, InvalidOptions>
export function make(
  options: ConcurrencyLimiter.Options
): Effect.Effect<ConcurrencyLimiter<PendingLimitExceeded>, InvalidOptions>
export function make(
  options: ConcurrencyLimiter.Options
): Effect.Effect<ConcurrencyLimiter<PendingLimitExceeded>, InvalidOptions> {
  // without `maxPending` the line has no bound, so `PendingLimitExceeded` never happens
  return internal.make(options)
}
