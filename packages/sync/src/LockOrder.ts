/**
 * Deadlock prevention and detection for locks.
 *
 * Prevention: `withLocks` takes any set of locks in one global order — each lock's creation
 * rank — and releases them in reverse, so no two fibers can ever wait for each other on them
 * (the guide's "always acquire locks in the same order", without comparing `id`s by hand).
 *
 * Detection: while the `Detector` layer is provided, every acquisition of a `Lock`,
 * `ReentrantLock` or `ReadWriteLock` write side is recorded in a "taken while holding" graph
 * (as the Linux kernel's lockdep does). An acquisition that would close a cycle — a fiber takes
 * B while holding A after some fiber took A while holding B — dies with `LockOrderViolation`
 * before it waits, so the bad order is reported the first time it happens, not when two fibers
 * finally deadlock. It is a defect, not a typed failure: a lock order is a bug to fix, not a
 * condition to recover from, and lock signatures stay free of it when no detector is in force.
 * `Condition.wait` taking its lock back is an acquisition too, checked while the waiter holds
 * what it held when it began waiting; on a violation the wait dies without the lock.
 * Off by default; without the layer the cost is one context read per acquisition.
 *
 * Child fibers: what a child takes counts as taken while holding the locks its parent held when
 * it was forked (a parent holding A that waits for a child waiting for B is the same deadlock as
 * one fiber taking B while holding A). A lock the parent has let go no longer counts, even for a
 * child forked while it was held — a pool's workers made inside a critical section, say. A child
 * that ends holding a lock lets it go.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as internal from "./internal/lockOrder.js"

/**
 * **Example**
 *
 * ```ts
 * import { LockOrder } from "@fiberkit/sync"
 *
 * declare const u: object
 * // carried by `Lock`, `ReentrantLock` and a `ReadWriteLock`'s `writeLock`
 * const isLockable = LockOrder.LockableTypeId in u
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const LockableTypeId: unique symbol = internal.LockableTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type LockableTypeId = typeof LockableTypeId

/**
 * A lock that `withLocks` can order: `Lock`, `ReentrantLock`, and `ReadWriteLock`'s `writeLock`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Lock, LockOrder, ReadWriteLock } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const index = yield* Lock.make({ name: "index" })
 *   const table = yield* ReadWriteLock.make({ name: "table" })
 *   const locks: Array<LockOrder.Lockable> = [table.writeLock, index]
 *   yield* Effect.log(locks.map((lock) => `${lock.name} (rank ${lock.rank})`).join(", "))
 *   yield* LockOrder.withLocks(Effect.log("both held"), locks) // index first: it was made first
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Lockable {
  readonly [LockableTypeId]: LockableTypeId
  /** Used in messages; defaults to the kind and the rank, e.g. `"Lock#3"`. */
  readonly name: string
  /** The creation rank: a lock made earlier has a lower rank. `withLocks` takes lower ranks first. */
  readonly rank: number
  /** Runs `effect` holding the lock. */
  readonly withLock: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * Runs `effect` holding every lock of `locks` (duplicates count once). The locks are taken in
 * rank order and released in reverse; an interruption part-way releases exactly those taken.
 * Dual: `withLocks(effect, locks)` or `effect.pipe(withLocks(locks))` (before 1.0 it was
 * `withLocks(locks, effect)`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Lock, LockOrder } from "@fiberkit/sync"
 *
 * const transfer = (from: { lock: Lock.Lock }, to: { lock: Lock.Lock }) =>
 *   Effect.log("moving money").pipe(LockOrder.withLocks([from.lock, to.lock]))
 * // transfer(a, b) and transfer(b, a) take the two locks in the same order: no deadlock.
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withLocks: {
  (locks: Iterable<Lockable>): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, locks: Iterable<Lockable>): Effect.Effect<A, E, R>
} = internal.withLocks

/**
 * While provided, records the order in which locks are taken and makes an acquisition that
 * contradicts a recorded order die with `LockOrderViolation`, naming both orders and the
 * fibers. Each build of the layer starts with an empty graph.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Lock, LockOrder } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const a = yield* Lock.make({ name: "a" })
 *   const b = yield* Lock.make({ name: "b" })
 *   yield* a.withLock(b.withLock(Effect.void)) // records a → b
 *   yield* b.withLock(a.withLock(Effect.void)) // dies: LockOrderViolation (b → a after a → b)
 * }).pipe(Effect.provide(LockOrder.Detector))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const Detector: Layer.Layer<never> = internal.detectorLayer
