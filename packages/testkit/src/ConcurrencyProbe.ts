/**
 * A probe that counts how many effects are in flight: wrap each effect under test with
 * `probe.track`, then read the current and peak in-flight counts and the order in which the
 * tracked effects started. "Never more than N inside" becomes `assert.isAtMost(yield* probe.peak, n)`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import * as internal from "./internal/concurrencyProbe.js"

/**
 * **Example**
 *
 * ```ts
 * import { ConcurrencyProbe } from "@fiberkit/testkit"
 *
 * declare const u: object
 * const isProbe = ConcurrencyProbe.TypeId in u // what `ConcurrencyProbe.isConcurrencyProbe` checks
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * Counts tracked effects while they run.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { ConcurrencyProbe } from "@fiberkit/testkit"
 *
 * // run the jobs 4 at a time, each tracked, then read every counter
 * const runTracked = (probe: ConcurrencyProbe.ConcurrencyProbe, jobs: ReadonlyArray<Effect.Effect<void>>) =>
 *   Effect.andThen(
 *     Effect.forEach(jobs, (job, i) => probe.track(job, `job-${i}`), { concurrency: 4 }),
 *     probe.snapshot // { current: 0, peak: 4 at most, started, finished, starts }
 *   )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ConcurrencyProbe {
  readonly [TypeId]: TypeId
  /**
   * Runs `effect`, counting it as in flight from its start until it ends in any way (success,
   * failure, interruption). `label` (default: the start's index) is appended to `starts`.
   */
  readonly track: <A, E, R>(effect: Effect.Effect<A, E, R>, label?: string) => Effect.Effect<A, E, R>
  /** Tracked effects running now. */
  readonly current: Effect.Effect<number>
  /** The most tracked effects that ever ran at once. */
  readonly peak: Effect.Effect<number>
  /** Labels of tracked effects in the order they started. */
  readonly starts: Effect.Effect<ReadonlyArray<string>>
  /** All counters at once. */
  readonly snapshot: Effect.Effect<ConcurrencyProbe.Snapshot>
}

/**
 * @since 0.1.0
 */
export declare namespace ConcurrencyProbe {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Snapshot {
    readonly current: number
    readonly peak: number
    readonly started: number
    readonly finished: number
    readonly starts: ReadonlyArray<string>
  }
}

/**
 * Creates a probe with every counter at zero.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyProbe } from "@fiberkit/testkit"
 *
 * const program = Effect.gen(function*() {
 *   const probe = yield* ConcurrencyProbe.make
 *   yield* Effect.forEach([1, 2, 3, 4], (i) => probe.track(Effect.sleep(10), `task-${i}`), { concurrency: 2 })
 *   return yield* probe.peak // 2
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<ConcurrencyProbe> = internal.make

/**
 * Whether `u` is a `ConcurrencyProbe`.
 *
 * **Example**
 *
 * ```ts
 * import { ConcurrencyProbe } from "@fiberkit/testkit"
 *
 * declare const u: unknown
 * const peak = ConcurrencyProbe.isConcurrencyProbe(u) ? u.peak : undefined
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isConcurrencyProbe: (u: unknown) => u is ConcurrencyProbe = internal.isConcurrencyProbe
