/**
 * A lock per key: mutual exclusion among the fibers that use the same key (a user, a file, a
 * tenant, a host), none between different keys — async-mutex's most asked-for feature ("lock by
 * key"). Each key's lock is made when first asked for and forgotten as soon as no fiber holds or
 * waits for it, so the keys can be as many as the values a program meets: only keys in use cost
 * memory.
 *
 * Keys are compared as a `Map` compares them: strings and numbers by value, objects by
 * reference. Per key, waiters are served first come, first served, and a release hands the lock
 * directly to the next one. A fiber interrupted while it waits, or after its turn came but before
 * it ran, passes the turn on: a key's lock is never lost.
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as internal from "./internal/keyedLock.js"

/**
 * **Example**
 *
 * ```ts
 * import { KeyedLock } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isKeyedLock = KeyedLock.TypeId in u // what `KeyedLock.isKeyedLock` checks
 * ```
 *
 * @since 0.3.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.3.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { KeyedLock } from "@fiberkit/sync"
 *
 * // one update at a time per account; updates of different accounts run at once
 * const update = (accounts: KeyedLock.KeyedLock<string>, account: string) =>
 *   accounts.withLock(account)(Effect.log(`updating ${account}`))
 * const busy = (accounts: KeyedLock.KeyedLock<string>) => Effect.all([accounts.isLocked("alice"), accounts.keys])
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface KeyedLock<in out K> extends Pipeable {
  readonly [TypeId]: TypeId
  /** Runs `effect` holding the lock of `key`, waiting first (interruptibly) if another fiber holds it. */
  readonly withLock: (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Whether a fiber holds the lock of `key` now. */
  readonly isLocked: (key: K) => Effect.Effect<boolean>
  /** How many keys are in use now: held, or waited for. */
  readonly keys: Effect.Effect<number>
}

/**
 * Creates a lock per key, with no key in use.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { KeyedLock } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const files = yield* KeyedLock.make<string>()
 *   const append = (file: string, line: string) => files.withLock(file)(Effect.log(`${file} += ${line}`))
 *   // a.log's two appends run one after the other, b.log's beside them
 *   yield* Effect.all([append("a.log", "1"), append("a.log", "2"), append("b.log", "1")], {
 *     concurrency: "unbounded"
 *   })
 *   return yield* files.keys // 0: no key is kept once no fiber uses it
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: <K>() => Effect.Effect<KeyedLock<K>> = internal.make

/**
 * Whether `u` is a `KeyedLock`.
 *
 * **Example**
 *
 * ```ts
 * import { KeyedLock } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const keyed = KeyedLock.isKeyedLock(u) ? "a lock per key" : "something else"
 * ```
 *
 * @since 0.3.0
 * @category guards
 */
export const isKeyedLock = (u: unknown): u is KeyedLock<unknown> => hasProperty(u, TypeId)
