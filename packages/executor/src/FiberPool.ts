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
 * `map` runs its items in lanes — jobs of the pool's line that run items one after another — so a
 * huge input creates neither a fiber nor a task per item; yet each item is a task of priority 0
 * to the steering below: a lane takes its next item only while no pending task ranks before the
 * map and its worker is not surplus after a shrink, and while items are left one lane waits in
 * line at the map's place, so a worker that frees or that a grow adds starts the next item.
 *
 * Steering (p-queue's and piscina's most requested features):
 * - **Priorities:** `submit(effect, { priority })` — higher first, equal priorities in submission
 *   order. Strict by default; with `aging`, a priority step is worth `aging` of waiting, so no
 *   task starves: one of priority `p` is placed as if it had been submitted `p × aging` earlier.
 * - **Resize:** `resize(n)` while in use; a grow starts pending tasks at once, a shrink
 *   interrupts nothing — surplus workers retire after their current task.
 * - **Bounded submission:** `maxPending` bounds the tasks waiting for a worker; when full,
 *   `onFull: "wait"` (the default) makes `submit` wait for room, `"fail"` fails it with
 *   `PendingLimitExceeded`, `"dropOldest"` ends the oldest pending task with that error (never
 *   started) to make room. `map` and `mapStream` keep at most `concurrency` tasks of their own
 *   and are not bounded.
 * - **Draining:** `awaitIdle` (nothing pending or running) and `awaitSizeBelow(n)` (fewer than
 *   `n` pending) — p-queue's `onIdle` and `onSizeLessThan`.
 *
 * Choosing the worker count: the default is Python's `min(32, cpus + 4)`, meant for I/O-bound
 * work; for network requests Python suggests `min(50, urls)`. For CPU-bound work use a
 * `WorkerPool` instead: fibers share one thread.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Scope from "effect/Scope"
import type { InvalidOptions, PendingLimitExceeded, PoolShutDown } from "./Errors.js"
import type * as Executor from "./Executor.js"
import type * as Future from "./Future.js"
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
export interface FiberPool<out X = never> extends Omit<Executor.Executor, "submit">, Pipeable {
  readonly [TypeId]: TypeId
  /** Most tasks running at once: as made, or as last resized. */
  readonly concurrency: number
  /** Submitted tasks running now. */
  readonly running: Effect.Effect<number>
  /** Submitted tasks waiting for a worker. */
  readonly pending: Effect.Effect<number>
  /**
   * Queues `effect` (see `Executor.submit`), placed in line by `options.priority` (a finite
   * number, default 0; higher first; not finite: a defect). With `maxPending`, `onFull` decides
   * what a full line does: wait for room, fail with `PendingLimitExceeded`, or drop the oldest
   * pending task (its future then fails with `PendingLimitExceeded`) — `X` is that error.
   */
  readonly submit: <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: FiberPool.SubmitOptions
  ) => Effect.Effect<Future.Future<A, E | X>, PoolShutDown | X, R>
  /**
   * Changes `concurrency` while in use (an integer ≥ 1, else `InvalidOptions`): a grow starts
   * pending tasks at once, a shrink interrupts nothing — surplus workers retire between tasks.
   */
  readonly resize: (concurrency: number) => Effect.Effect<void, InvalidOptions>
  /** Waits until no submitted task is pending or running. */
  readonly awaitIdle: Effect.Effect<void>
  /** Waits until fewer than `size` submitted tasks are pending. */
  readonly awaitSizeBelow: (size: number) => Effect.Effect<void>
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
    /** The pool's name in a Timeline (`@fiberkit/observe`) and its metrics' `group`. Default: its number, in order of creation. */
    readonly name?: string | undefined
    /** The most tasks waiting for a worker, an integer ≥ 0. Default: no bound. */
    readonly maxPending?: number | undefined
    /**
     * With `maxPending`, what a `submit` to a full line does: `"wait"` for room (the default),
     * `"fail"` with `PendingLimitExceeded`, or `"dropOldest"`: the oldest pending task ends with
     * `PendingLimitExceeded`, never started, and the new one takes its place.
     */
    readonly onFull?: "wait" | "fail" | "dropOldest" | undefined
    /**
     * What one step of priority is worth in waiting time (a duration > 0): a task of priority
     * `p` is placed as if submitted `p × aging` earlier, so none starves. Default: strict priorities.
     */
    readonly aging?: Duration.Input | undefined
  }

  /**
   * The options of one `submit`.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type { FiberPool } from "@fiberkit/executor"
   *
   * const urgent: FiberPool.FiberPool.SubmitOptions = { priority: 10 }
   * const page = (pool: FiberPool.FiberPool) => pool.submit(Effect.log("paging the on-call"), urgent)
   * ```
   *
   * @since 0.3.0
   * @category models
   */
  export interface SubmitOptions {
    /** Higher runs first; equal priorities in submission order. A finite number; default 0. */
    readonly priority?: number | undefined
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
 * Creates a pool in the current scope. `concurrency` below 1 (or not an integer), or a
 * `maxPending`, `onFull` or `aging` out of range, fails `InvalidOptions`. With `onFull: "fail"`
 * or `"dropOldest"` the pool's type says that submits and tasks may fail with
 * `PendingLimitExceeded`.
 * The type follows the options' static type: write `maxPending` (and `onFull`) in the options
 * themselves — options widened to a type without them still bound the line at run time, but the
 * result's type would not say so.
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
export function make(
  options: FiberPool.Options & { readonly maxPending: number; readonly onFull: "fail" | "dropOldest" }
): Effect.Effect<FiberPool<PendingLimitExceeded>, InvalidOptions, Scope.Scope>
export function make(
  options?: FiberPool.Options & { readonly onFull?: "wait" | undefined }
): Effect.Effect<FiberPool, InvalidOptions, Scope.Scope>
export function make(
  options?: FiberPool.Options
): Effect.Effect<FiberPool<PendingLimitExceeded>, InvalidOptions, Scope.Scope>
export function make(
  options?: FiberPool.Options
): Effect.Effect<FiberPool<PendingLimitExceeded>, InvalidOptions, Scope.Scope> {
  // without `"fail"` or `"dropOldest"` no task or submit ever fails with `PendingLimitExceeded`
  return internal.make(options)
}

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
