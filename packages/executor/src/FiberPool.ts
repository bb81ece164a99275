/**
 * A pool of fibers: Python's `ThreadPoolExecutor` for Effect. At most `concurrency` tasks run at
 * once, they start in submission order, and every submitted task gets a `Future`.
 *
 * The pool is scoped. Closing its scope shuts it down; a `submit` after that fails
 * `PoolShutDown`. How depends on how the scope ends:
 *
 * - it succeeded: the pool waits for every task it accepted, pending ones included (Python's
 *   `with ThreadPoolExecutor() as executor:`);
 * - it was interrupted, or failed: pending tasks are cancelled (they never start, their futures
 *   end `FutureCancelled`) and running ones are interrupted; the close returns once they have
 *   stopped. Nobody is left to use their results, and a task that waits for the scope's owner
 *   would otherwise keep the close waiting for ever. To let the tasks finish even when the scope
 *   fails, call `pool.shutdown()` before the scope ends (e.g. `Effect.ensuring(pool.shutdown())`).
 *
 * `map` runs `min(concurrency, items)` long-lived lanes that pull items, so a huge input does not
 * create a fiber per item.
 *
 * Choosing the worker count: the default is Python's `min(32, cpus + 4)`, meant for I/O-bound
 * work; for network requests Python suggests `min(50, urls)`. For CPU-bound work use a
 * `WorkerPool` instead: fibers share one thread.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Scope from "effect/Scope"
import type { InvalidOptions } from "./Errors.js"
import type * as Executor from "./Executor.js"
import * as internal from "./internal/fiberPool.js"

/**
 * **Example**
 *
 * ```ts
 * import { FiberPool } from "@fiberkit/executor"
 *
 * declare const u: object
 * const isFiberPool = FiberPool.TypeId in u // what `FiberPool.isFiberPool` checks
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
 * A pool of fibers: Python's `ThreadPoolExecutor`, for I/O-bound work. It is an `Executor`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { FiberPool } from "@fiberkit/executor"
 *
 * // how busy the pool is now
 * const load = (pool: FiberPool.FiberPool) =>
 *   Effect.map(Effect.all([pool.running, pool.pending]), ([running, pending]) =>
 *     `${running} of ${pool.concurrency} running, ${pending} waiting`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FiberPool extends Executor.Executor, Pipeable {
  readonly [TypeId]: TypeId
  readonly concurrency: number
  /** Submitted tasks running now. */
  readonly running: Effect.Effect<number>
  /** Submitted tasks waiting for a worker. */
  readonly pending: Effect.Effect<number>
}

/**
 * @since 0.1.0
 */
export declare namespace FiberPool {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Most tasks running at once, an integer ≥ 1. Default: `min(32, cpus + 4)` (see {@link defaultConcurrency}). */
    readonly concurrency?: number | undefined
    /** The pool's name in a Timeline (`@fiberkit/observe`). Default: its number, in order of creation. */
    readonly name?: string | undefined
  }
}

/**
 * The default worker count on this machine: `min(32, cpus + 4)`, as Python's
 * `ThreadPoolExecutor` (good for I/O-bound work).
 *
 * **Example**
 *
 * ```ts
 * import { FiberPool } from "@fiberkit/executor"
 *
 * const workers = FiberPool.defaultConcurrency() // 12 on a machine with 8 CPUs
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaultConcurrency: () => number = internal.defaultConcurrency

/**
 * Creates a pool in the current scope. `concurrency` below 1 (or not an integer) fails
 * `InvalidOptions`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { FiberPool } from "@fiberkit/executor"
 *
 * const download = (url: string) => Effect.as(Effect.sleep("1 second"), `Content from ${url}`)
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ concurrency: 4 })
 *   return yield* pool.map(["site1.com", "site2.com", "site3.com", "site4.com"], download) // ~1 s
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: FiberPool.Options) => Effect.Effect<FiberPool, InvalidOptions, Scope.Scope> =
  internal.make

/**
 * Whether `u` is a `FiberPool`.
 *
 * **Example**
 *
 * ```ts
 * import { FiberPool } from "@fiberkit/executor"
 *
 * declare const u: unknown
 * const workers = FiberPool.isFiberPool(u) ? u.concurrency : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isFiberPool = (u: unknown): u is FiberPool => hasProperty(u, TypeId)
