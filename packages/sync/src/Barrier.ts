/**
 * A barrier: Python's `threading.Barrier`. `parties` fibers `await` it; when the last one
 * arrives, the optional `action` runs once (in that fiber), then all of them continue, each
 * with its own arrival index from 0 to `parties - 1`. The barrier is then ready for the next
 * generation; parties arriving while an action runs wait until it has ended, so actions never
 * overlap and generations are released in order.
 *
 * Breaking: `abort`, an `await` that waits longer than `timeout`, or a failing (or
 * interrupted) `action` breaks the barrier — every waiting party fails with `BrokenBarrier`,
 * and so does every later `await`, until `reset`. `reset` returns it to empty (parties waiting
 * at that moment fail with `BrokenBarrier`). A party interrupted while waiting withdraws, as if
 * it had never arrived.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type { BrokenBarrier, InvalidOptions } from "./Errors.js"
import * as internal from "./internal/barrier.js"

/**
 * **Example**
 *
 * ```ts
 * import { Barrier } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isBarrier = Barrier.TypeId in u // what `Barrier.isBarrier` checks
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
 * import type { Barrier } from "@fiberkit/sync"
 *
 * // one party of a round: wait for the others, or give up if the barrier broke
 * const party = (barrier: Barrier.Barrier, name: string) =>
 *   barrier.await.pipe(
 *     Effect.flatMap((index) => Effect.log(`${name} passed as #${index} of ${barrier.parties}`)),
 *     Effect.catchTag("BrokenBarrier", (e) => Effect.log(`${name} gave up: ${e.reason}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Barrier<E = never> extends Pipeable {
  readonly [TypeId]: TypeId
  /** How many fibers must arrive to trip the barrier. */
  readonly parties: number
  /**
   * Waits until `parties` fibers have arrived, then returns this fiber's arrival index. The
   * last arrival runs the action first and fails with its error if it fails.
   */
  readonly await: Effect.Effect<number, BrokenBarrier | E>
  /** Breaks the barrier: waiting and later parties fail with `BrokenBarrier`. */
  readonly abort: Effect.Effect<void>
  /** Empties the barrier and mends it; parties waiting now fail with `BrokenBarrier`. */
  readonly reset: Effect.Effect<void>
  /** Parties waiting in the current generation. */
  readonly waiting: Effect.Effect<number>
  /** Whether the barrier is broken. */
  readonly isBroken: Effect.Effect<boolean>
}

/**
 * @since 0.1.0
 */
export declare namespace Barrier {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options<E, R = never> {
    /**
     * Run once per generation by the last arrival, before any party continues. Its services
     * (`R`) are those of the context `make` runs in: `make` requires them. Default: none.
     */
    readonly action?: Effect.Effect<void, E, R> | undefined
    /**
     * Longest time an `await` may wait for the other parties before it breaks the barrier; once
     * the last party has come, the action it runs does not count (as in Python). One that
     * `Duration.decode` rejects fails `make` with `InvalidOptions`. Default: no limit.
     */
    readonly timeout?: Duration.Input | undefined
  }
}

/**
 * Creates a barrier for `parties` fibers (an integer ≥ 1, else `InvalidOptions`; a malformed
 * `timeout` fails `InvalidOptions` too).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Barrier } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const barrier = yield* Barrier.make(3, { action: Effect.log("all three are here") })
 *   const runner = (name: string) => Effect.gen(function*() {
 *     const index = yield* barrier.await
 *     yield* Effect.log(`${name} continues (arrived #${index})`)
 *   })
 *   yield* Effect.forEach(["a", "b", "c"], runner, { concurrency: "unbounded" })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <E = never, R = never>(
  parties: number,
  options?: Barrier.Options<E, R>
) => Effect.Effect<Barrier<E>, InvalidOptions, R> = internal.make

/**
 * Whether `u` is a `Barrier`.
 *
 * **Example**
 *
 * ```ts
 * import { Barrier } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const parties = Barrier.isBarrier(u) ? u.parties : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isBarrier = (u: unknown): u is Barrier<unknown> => hasProperty(u, TypeId)
