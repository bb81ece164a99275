/**
 * A readers–writer lock: any number of readers at once, or one writer alone.
 *
 * Fair in both directions: everyone waits in one first-come, first-served line. A reader gets
 * in at once only while no writer holds the lock and no one waits, so a waiting writer holds
 * back the readers that come after it (writers are not starved by a stream of readers); when
 * a writer leaves, the readers queued behind it enter together. Not reentrant: a fiber that
 * reads and then asks to write (or to read again while a writer waits) waits for itself.
 * `writeLock` is the write side as a `LockOrder.Lockable`, for `LockOrder.withLocks`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as internal from "./internal/readWriteLock.js"
import type * as LockOrder from "./LockOrder.js"

/**
 * **Example**
 *
 * ```ts
 * import { ReadWriteLock } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isReadWriteLock = ReadWriteLock.TypeId in u // what `ReadWriteLock.isReadWriteLock` checks
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
 * import type { ReadWriteLock } from "@fiberkit/sync"
 *
 * const report = (lock: ReadWriteLock.ReadWriteLock) =>
 *   Effect.flatMap(lock.state, ({ readers, waiting, writing }) =>
 *     Effect.log(`${readers} reading, ${writing ? "a" : "no"} writer, ${waiting} waiting`))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadWriteLock extends Pipeable {
  readonly [TypeId]: TypeId
  /** Runs `effect` as a reader: alongside other readers, never alongside a writer. */
  readonly withRead: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Runs `effect` as the only writer: no reader or other writer inside. */
  readonly withWrite: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** The write side, for `LockOrder.withLocks` and the lock-order detector. */
  readonly writeLock: LockOrder.Lockable
  /** Readers inside, whether a writer is inside, and how many wait. */
  readonly state: Effect.Effect<ReadWriteLock.State>
}

/**
 * @since 0.1.0
 */
export declare namespace ReadWriteLock {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface State {
    readonly readers: number
    readonly writing: boolean
    readonly waiting: number
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Name used in lock-order reports. Default: `"ReadWriteLock#<rank>"`. */
    readonly name?: string | undefined
  }
}

/**
 * Creates a free readers–writer lock.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Ref } from "effect"
 * import { ReadWriteLock } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const lock = yield* ReadWriteLock.make()
 *   const config = yield* Ref.make({ retries: 3 })
 *   const read = lock.withRead(Ref.get(config)) // many at once
 *   const write = lock.withWrite(Ref.update(config, (c) => ({ ...c, retries: c.retries + 1 }))) // alone
 *   yield* Effect.all([read, write, read], { concurrency: "unbounded" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: ReadWriteLock.Options): Effect.Effect<ReadWriteLock> =>
  Effect.sync(() => new internal.ReadWriteLockImpl(options?.name))

/**
 * Whether `u` is a `ReadWriteLock`.
 *
 * **Example**
 *
 * ```ts
 * import { ReadWriteLock } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const writeLock = ReadWriteLock.isReadWriteLock(u) ? u.writeLock : undefined // for LockOrder.withLocks
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isReadWriteLock = (u: unknown): u is ReadWriteLock => hasProperty(u, TypeId)
