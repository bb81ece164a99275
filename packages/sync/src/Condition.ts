/**
 * A condition variable: Python's `threading.Condition`. Fibers holding its lock `wait` until
 * another fiber holding the lock calls `notify` (one or `n` waiters, in the order they began
 * waiting) or `notifyAll`.
 *
 * `wait` lets go of the lock while waiting and takes it back before it returns — also when it
 * is interrupted, as in Python, so the caller's `withLock` stays balanced. A waiter whose wait
 * ends in an interruption after it was notified passes the notification on to the next waiter:
 * none is lost. (A waiter in an uninterruptible region — a finalizer — whose fiber is
 * interrupted meanwhile returns from `wait` and acts on its notification itself.) Waiting
 * or notifying without holding the lock fails with `NotOwner`.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type { NotOwner } from "./Errors.js"
import * as internal from "./internal/condition.js"
import type * as Lock from "./Lock.js"
import type * as ReentrantLock from "./ReentrantLock.js"

/**
 * **Example**
 *
 * ```ts
 * import { Condition } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isCondition = Condition.TypeId in u // what `Condition.isCondition` checks
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
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Condition } from "@fiberkit/sync"
 *
 * // holding the condition's lock: wait until an item is there, then take it
 * const take = (condition: Condition.Condition, items: Array<string>) =>
 *   condition.withLock(
 *     Effect.andThen(condition.waitUntil(Effect.sync(() => items.length > 0)), Effect.sync(() => items.shift()!))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Condition extends Pipeable {
  readonly [TypeId]: TypeId
  /** The lock this condition is bound to. */
  readonly lock: Condition.Lock
  /** Runs `effect` holding the condition's lock (Python's `with condition:`). */
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Lets go of the lock, waits for a notification, takes the lock back. A notification is never
   * lost to an interruption: a waiter interrupted after it was notified either returns (and acts
   * on it) or passes it on to the next waiter. After `wait` returned, the hold it woke in (the
   * innermost `withLock`, or `acquire`) settles it: passed on if that hold ends in a failure or
   * an interruption, is released by hand in a finalizer of an interrupted fiber, or its fiber ends
   * failed holding it; dropped if the hold ends well or the holder waits again. At worst another
   * waiter wakes and finds nothing to do, which the usual `while` loop or `waitUntil` absorbs.
   */
  readonly wait: Effect.Effect<void, NotOwner>
  /**
   * `wait`, for at most `duration` (Python's `wait(timeout)`): `true` if notified, `false` if the
   * time ran out. Either way the lock is held again when it returns. (`Effect.timeout(wait, d)`
   * cannot work: it runs `wait` in a child fiber, which does not hold the lock.) A `duration`
   * that `Duration.decode` rejects is a defect, before the lock is let go.
   */
  readonly waitFor: (duration: Duration.Input) => Effect.Effect<boolean, NotOwner>
  /** Waits until `predicate` (run holding the lock) is true; returns at once if it already is. */
  readonly waitUntil: <E, R>(predicate: Effect.Effect<boolean, E, R>) => Effect.Effect<void, E | NotOwner, R>
  /**
   * Wakes up to `n` waiters (default 1), longest-waiting first. An `n` that is not an integer
   * ≥ 0 is a defect (`IllegalArgumentError`).
   */
  readonly notify: (n?: number) => Effect.Effect<void, NotOwner>
  /** Wakes every waiter. */
  readonly notifyAll: Effect.Effect<void, NotOwner>
  /** Fibers waiting right now. */
  readonly waiting: Effect.Effect<number>
}

/**
 * @since 0.1.0
 */
export declare namespace Condition {
  /**
   * The locks a condition can be bound to.
   *
   * @since 0.1.0
   * @category models
   */
  export type Lock = Lock.Lock | ReentrantLock.ReentrantLock
}

/**
 * Creates a condition bound to `lock`, or to a new `ReentrantLock` (Python's default).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Fiber } from "effect"
 * import { Condition } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const condition = yield* Condition.make()
 *   const items: Array<number> = []
 *   const consumer = condition.withLock(
 *     Effect.andThen(condition.waitUntil(Effect.sync(() => items.length > 0)), Effect.sync(() => items.shift()))
 *   )
 *   const producer = condition.withLock(Effect.andThen(Effect.sync(() => items.push(42)), condition.notify()))
 *   const fiber = yield* Effect.forkChild(consumer)
 *   yield* producer
 *   return yield* Fiber.await(fiber) // Exit.succeed(42)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (lock?: Condition.Lock) => Effect.Effect<Condition> = internal.make

/**
 * Whether `u` is a `Condition`.
 *
 * **Example**
 *
 * ```ts
 * import { Condition } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const lock = Condition.isCondition(u) ? u.lock : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isCondition = (u: unknown): u is Condition => hasProperty(u, TypeId)
