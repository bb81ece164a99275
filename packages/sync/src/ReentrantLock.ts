/**
 * A reentrant lock: Python's `threading.RLock`. The fiber that holds it may take it again (for
 * example through nested `withLock`s or recursive calls); it is free again after as many
 * releases as acquisitions.
 *
 * Ownership is as for `Lock`: the owner is the fiber, a child fiber is another owner (it
 * waits like any other fiber while its parent holds the lock), and a fiber that ends holding the
 * lock lets go of every hold then (so `Effect.timeout(lock.acquire, d)`, which acquires in a
 * fiber of its own, does not work: use `acquireFor`). One consequence: a holder that re-acquires under `Effect.timeout` waits like any
 * other fiber (the timed effect runs in a child fiber) — re-acquire without a timeout, or use
 * `withLock`, which never needs one for a lock the fiber already holds. Waiters are served in
 * FIFO order with direct hand-off.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import type { NotOwner } from "./Errors.js"
import { OwnedLock } from "./internal/ownedLock.js"
import type * as LockOrder from "./LockOrder.js"

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { ReentrantLock } from "@fiberkit/sync"
 *
 * // a recursive walk that takes the lock at every level: the holder re-enters it
 * const countDown = (lock: ReentrantLock.ReentrantLock, n: number): Effect.Effect<void> =>
 *   lock.withLock(n === 0 ? Effect.void : countDown(lock, n - 1))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ReentrantLock extends LockOrder.Lockable, Pipeable {
  /** Runs `effect` holding the lock (one more hold if this fiber already holds it). */
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Takes one more hold if this fiber holds the lock, else waits until it is free. */
  readonly acquire: Effect.Effect<void>
  /**
   * `acquire`, waiting at most `duration` (Python's `acquire(timeout=…)`): `true` if this fiber
   * now holds the lock, `false` if the time ran out (then nothing changed). A `duration` that
   * `Duration.decode` rejects is a defect, before any wait.
   */
  readonly acquireFor: (duration: Duration.Input) => Effect.Effect<boolean>
  /** Gives up one hold; fails with `NotOwner` (changing nothing) unless this fiber holds it. */
  readonly release: Effect.Effect<void, NotOwner>
  /** Takes a hold if that needs no wait: `true` if it did. */
  readonly tryAcquire: Effect.Effect<boolean>
  /** Whether some fiber holds the lock. */
  readonly isLocked: Effect.Effect<boolean>
}

/**
 * @since 0.1.0
 */
export declare namespace ReentrantLock {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Name used in errors and lock-order reports. Default: `"ReentrantLock#<rank>"`. */
    readonly name?: string | undefined
  }
}

/**
 * Creates a free reentrant lock.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ReentrantLock } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const lock = yield* ReentrantLock.make()
 *   const inner = lock.withLock(Effect.log("inner"))
 *   yield* lock.withLock(Effect.andThen(Effect.log("outer"), inner)) // no self-deadlock
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: ReentrantLock.Options): Effect.Effect<ReentrantLock> =>
  Effect.sync(() => new OwnedLock(true, "ReentrantLock", options?.name))

/**
 * Whether `u` is a `ReentrantLock` (a `Lock` is not). It recognises the locks of this copy of
 * `@fiberkit/sync`, the ones `Condition.make` accepts: `Lock` and `ReentrantLock` share the
 * `LockOrder.Lockable` type id, so the check is on the implementation.
 *
 * **Example**
 *
 * ```ts
 * import { ReentrantLock } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const isLocked = ReentrantLock.isReentrantLock(u) ? u.isLocked : undefined // an Effect of whether it is held
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isReentrantLock = (u: unknown): u is ReentrantLock => u instanceof OwnedLock && u.reentrant
