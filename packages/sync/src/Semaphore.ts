/**
 * A counting semaphore: Python's `threading.Semaphore`. At most `permits` holders at once;
 * `release` may add permits beyond the initial count (use `BoundedSemaphore` to forbid that).
 *
 * Waiters are served strictly first come, first served, and a release hands the permits
 * directly to the longest waiter: a large request at the head is never overtaken by smaller
 * ones behind it, and a woken waiter never has to race for its permits again. (Effect's own
 * `Semaphore` lets small requests overtake large ones and wakes waiters to re-compete.) A fiber
 * interrupted while waiting, or after being handed permits but before it resumed, gives them to
 * the next waiter: no permit is ever lost.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type { InvalidOptions, SemaphoreOverRelease } from "./Errors.js"
import * as internal from "./internal/semaphore.js"

/**
 * **Example**
 *
 * ```ts
 * import { Semaphore } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isSemaphore = Semaphore.TypeId in u // what `Semaphore.isSemaphore` checks (a bounded one too)
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.SemaphoreTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Semaphore } from "@fiberkit/sync"
 *
 * // a job holds as many permits as it loads gigabytes
 * const load = (memory: Semaphore.Semaphore, gigabytes: number) =>
 *   memory.withPermits(gigabytes)(Effect.log(`loading ${gigabytes} GiB`))
 * const usage = (memory: Semaphore.Semaphore) => Effect.all([memory.available, memory.waiting])
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Semaphore extends Pipeable {
  readonly [TypeId]: TypeId
  /** The number of permits: the one it was made with, or the last `resize`'s. */
  readonly permits: number
  /**
   * Runs `effect` holding `n` permits, given back however it ends. A count `n` that is not an
   * integer ≥ 0 (or, bounded, above the permits) is a programming mistake: a defect
   * (`IllegalArgumentError`), as for every count below — not an error each caller must handle.
   */
  readonly withPermits: (
    n: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** `withPermits(1)`, which cannot fail: runs `effect` holding one permit. */
  readonly withPermit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Waits until `n` permits (default 1) are free and no one waits ahead, then holds them. */
  readonly acquire: (n?: number) => Effect.Effect<void>
  /**
   * `acquire`, waiting at most `duration` (Python's `acquire(timeout=…)`): `true` if the `n`
   * permits (default 1) are now held, `false` if the time ran out (then nothing is held). A
   * `duration` that `Duration.decode` rejects is a defect, before any wait.
   */
  readonly acquireFor: (duration: Duration.Input, n?: number) => Effect.Effect<boolean>
  /** Takes `n` permits (default 1) if that needs no wait: `true` if it did. */
  readonly tryAcquire: (n?: number) => Effect.Effect<boolean>
  /** Gives `n` permits (default 1) to the pool and hands them to waiters. */
  readonly release: (n?: number) => Effect.Effect<void, SemaphoreOverRelease>
  /**
   * Changes the number of permits while the semaphore is in use (an integer ≥ 0, else
   * `InvalidOptions`). Growing hands the new permits to the waiters at once, in their order;
   * shrinking never takes a permit from a fiber holding it: the free permits go first, then each
   * permit given back is kept until the count in use is under the new number. For a bounded
   * semaphore the bound moves with it.
   */
  readonly resize: (permits: number) => Effect.Effect<void, InvalidOptions>
  /** Permits free right now (0 after a shrink, until enough holders have let go). */
  readonly available: Effect.Effect<number>
  /** Fibers waiting for permits right now. */
  readonly waiting: Effect.Effect<number>
}

/**
 * Creates a semaphore with `permits` free permits (an integer ≥ 0, else `InvalidOptions`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Semaphore } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const semaphore = yield* Semaphore.make(3) // at most 3 at once
 *   const task = (i: number) => semaphore.withPermits(1)(Effect.log(`processing ${i}`))
 *   yield* Effect.forEach([1, 2, 3, 4, 5], task, { concurrency: "unbounded" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (permits: number): Effect.Effect<Semaphore, InvalidOptions> => internal.make(permits, false)

/**
 * Whether `u` is a `Semaphore`. A `BoundedSemaphore` is one too (use
 * `BoundedSemaphore.isBoundedSemaphore` to tell them apart).
 *
 * **Example**
 *
 * ```ts
 * import { Semaphore } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const permits = Semaphore.isSemaphore(u) ? u.permits : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isSemaphore = (u: unknown): u is Semaphore => hasProperty(u, TypeId)
