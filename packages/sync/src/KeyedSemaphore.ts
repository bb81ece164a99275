/**
 * Permits per key: at most `permits` fibers (or permit-weighted uses) at once for each key — a
 * user, a tenant, a host — and no limit between keys; `KeyedLock` is the one-permit case. Each
 * key's permits are made when first asked for and forgotten as soon as no fiber holds or waits
 * for them, so keys can be as many as the values a program meets: only keys in use cost memory.
 *
 * Keys are compared as a `Map` compares them. Per key, waiters are served first come, first
 * served (or by rank, when `withPermits` is given one), with permits handed directly to the next
 * waiter; a fiber interrupted while it waits, or after its turn came but before it ran, passes
 * its permits on. `resize` changes the permits of every key at runtime without preempting anyone.
 *
 * @since 0.3.0
 */
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type { InvalidOptions } from "./Errors.js"
import * as internal from "./internal/keyedSemaphore.js"

/**
 * **Example**
 *
 * ```ts
 * import { KeyedSemaphore } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isKeyedSemaphore = KeyedSemaphore.TypeId in u // what `KeyedSemaphore.isKeyedSemaphore` checks
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
 * import type { KeyedSemaphore } from "@fiberkit/sync"
 *
 * // at most `permits` exports per tenant at once; tenants do not wait for each other
 * const exportFor = (tenants: KeyedSemaphore.KeyedSemaphore<string>, tenant: string) =>
 *   tenants.withPermit(tenant)(Effect.log(`exporting for ${tenant}`))
 * const load = (tenants: KeyedSemaphore.KeyedSemaphore<string>) =>
 *   Effect.all([tenants.available("acme"), tenants.waiting("acme"), tenants.keys])
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface KeyedSemaphore<in out K> extends Pipeable {
  readonly [TypeId]: TypeId
  /** The permits of each key: the number it was made with, or the last `resize`'s. */
  readonly permits: number
  /**
   * Runs `effect` holding `n` permits of `key`, waiting first (interruptibly) in the key's line.
   * A count `n` that is not an integer from 0 to `permits` is a programming mistake: a defect
   * (`IllegalArgumentError`). `rank` places the waiter in the key's line: lower first, equal
   * ranks first come, first served (default 0 — with every waiter at 0 the line is FIFO); a
   * `Priority.Ranking` turns a priority into a rank. A `NaN` rank is a defect.
   */
  readonly withPermits: (
    key: K,
    n: number,
    rank?: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** `withPermits(key, 1)`. */
  readonly withPermit: (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Permits of `key` free now: all of them for a key nobody uses; 0 after a shrink until holders let go. */
  readonly available: (key: K) => Effect.Effect<number>
  /** Fibers waiting for permits of `key` now. */
  readonly waiting: (key: K) => Effect.Effect<number>
  /** How many keys are in use now: held, or waited for. */
  readonly keys: Effect.Effect<number>
  /**
   * Sets the permits of every key, in use or not (an integer ≥ 0, else `InvalidOptions`). A grow
   * serves waiters at once; a shrink never takes permits from a fiber holding them — a key over
   * its new limit admits no one until enough holders have let go.
   */
  readonly resize: (permits: number) => Effect.Effect<void, InvalidOptions>
}

/**
 * Creates permits per key, `permits` for each (an integer ≥ 0, else `InvalidOptions`), with no
 * key in use.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { KeyedSemaphore } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const perUser = yield* KeyedSemaphore.make<string>(2)
 *   const upload = (user: string, file: string) => perUser.withPermit(user)(Effect.log(`${user} uploads ${file}`))
 *   // alice's third upload waits for one of her first two; bob's runs beside them
 *   yield* Effect.all([upload("alice", "a"), upload("alice", "b"), upload("alice", "c"), upload("bob", "d")], {
 *     concurrency: "unbounded"
 *   })
 *   yield* perUser.resize(4) // from now on, 4 per user
 *   return yield* perUser.keys // 0: no key is kept once no fiber uses it
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export const make: <K>(permits: number) => Effect.Effect<KeyedSemaphore<K>, InvalidOptions> = internal.make

/**
 * Whether `u` is a `KeyedSemaphore`.
 *
 * **Example**
 *
 * ```ts
 * import { KeyedSemaphore } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const keyed = KeyedSemaphore.isKeyedSemaphore(u) ? "permits per key" : "something else"
 * ```
 *
 * @since 0.3.0
 * @category guards
 */
export const isKeyedSemaphore = (u: unknown): u is KeyedSemaphore<unknown> => hasProperty(u, TypeId)
