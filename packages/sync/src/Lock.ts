/**
 * A mutual-exclusion lock: Python's `threading.Lock`, owned by the fiber that takes it.
 *
 * `withLock` is the main form (Python's `with lock:`): the lock is released however the effect
 * ends, and a fiber interrupted while waiting leaves the queue as if it had never come.
 * Waiters are served first come, first served, and a release hands the lock directly to the
 * longest waiter — one wake-up, no race to re-take it.
 *
 * Ownership (for `acquire` / `release` as separate calls): the owner is the fiber that
 * acquired. A forked child is another fiber, so it cannot release its parent's lock, and siblings
 * exclude each other. A fiber that ends holding a lock it took with `acquire` lets it go then:
 * nobody else may release it, and it would stay locked for ever. So `Effect.timeout(lock.acquire,
 * d)` does not work on Effect 4: it runs `acquire` in a fiber of its own, which ends at once and
 * lets the lock go; the caller's `release` then fails `NotOwner`, naming that fiber.
 *
 * For a bounded wait use `acquireFor(d)` (Python's `acquire(timeout=…)`), which waits in the
 * calling fiber, and gives up only if the lock was not handed over first.
 *
 * A `Lock` is not reentrant: a fiber acquiring it again while holding it waits for itself for
 * ever (as in Python). Use `ReentrantLock` for that, and `LockOrder.Detector` to catch it.
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
 * import type { Lock } from "@fiberkit/sync"
 *
 * // an account guarded by its own lock
 * interface Account {
 *   readonly lock: Lock.Lock
 *   balance: number
 * }
 * const deposit = (account: Account, amount: number) =>
 *   account.lock.withLock(Effect.sync(() => {
 *     account.balance += amount
 *   }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Lock extends LockOrder.Lockable, Pipeable {
  /** Runs `effect` holding the lock, released however it ends. */
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Waits until the lock is free, then holds it. Interruptible while waiting. */
  readonly acquire: Effect.Effect<void>
  /**
   * Waits at most `duration` for the lock (Python's `acquire(timeout=…)`): `true` if this fiber
   * now holds it, `false` if the time ran out (then it holds nothing and has left the line).
   * A `duration` that `Duration.decode` rejects is a defect, before any wait.
   */
  readonly acquireFor: (duration: Duration.Input) => Effect.Effect<boolean>
  /** Frees the lock; fails with `NotOwner` (changing nothing) unless this fiber holds it. */
  readonly release: Effect.Effect<void, NotOwner>
  /** Takes the lock if it is free right now and no one waits for it: `true` if it did. */
  readonly tryAcquire: Effect.Effect<boolean>
  /** Whether some fiber holds the lock. */
  readonly isLocked: Effect.Effect<boolean>
}

/**
 * @since 0.1.0
 */
export declare namespace Lock {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Name used in errors and lock-order reports. Default: `"Lock#<rank>"`. */
    readonly name?: string | undefined
  }
}

/**
 * Creates a free lock. Its creation rank orders it for `LockOrder.withLocks`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { Lock } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const lock = yield* Lock.make()
 *   const counter = yield* Ref.make(0)
 *   const increment = lock.withLock(
 *     Effect.gen(function*() {
 *       const n = yield* Ref.get(counter)
 *       yield* Effect.yieldNow // another fiber runs here, but cannot enter
 *       yield* Ref.set(counter, n + 1)
 *     })
 *   )
 *   yield* Effect.all(Array.from({ length: 100 }, () => increment), { concurrency: "unbounded" })
 *   return yield* Ref.get(counter) // 100
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Lock.Options): Effect.Effect<Lock> =>
  Effect.sync(() => new OwnedLock(false, "Lock", options?.name))

/**
 * Creates a lock outside of an effect (for module-level constants).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Lock } from "@fiberkit/sync"
 *
 * const logLock = Lock.unsafeMake({ name: "log" })
 * // the lines of one call are never interleaved with another's
 * const logAll = (lines: ReadonlyArray<string>) =>
 *   logLock.withLock(Effect.forEach(lines, (line) => Effect.log(line)))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const unsafeMake = (options?: Lock.Options): Lock => new OwnedLock(false, "Lock", options?.name)

/**
 * Whether `u` is a `Lock` (a `ReentrantLock` is not). It recognises the locks of this copy of
 * `@fiberkit/sync`, the ones `Condition.make` accepts: `Lock` and `ReentrantLock` share the
 * `LockOrder.Lockable` type id, so the check is on the implementation.
 *
 * **Example**
 *
 * ```ts
 * import { Lock } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const isLocked = Lock.isLock(u) ? u.isLocked : undefined // an Effect of whether it is held
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isLock = (u: unknown): u is Lock => u instanceof OwnedLock && !u.reentrant
