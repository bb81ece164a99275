/**
 * A pool of worker threads: Python's `ProcessPoolExecutor` for Effect, for CPU-bound work (fibers
 * share one thread; workers run in parallel on every core). It implements the same `Executor`
 * interface as `FiberPool`, so code written against an `Executor` runs on either.
 *
 * What runs on the workers are `WorkerTask` calls: `pool.submit(fib(30))`,
 * `pool.map(items, (n) => fib(n))`. Any other effect submitted to the pool runs on the main
 * thread, at most `concurrency` at once, and the calls it makes run on the pool's workers. A closure
 * cannot move to another thread — as in Python, where a process pool's function must be
 * importable by name.
 *
 * Faults stay with their task: a task's failure fails its own future; a worker that crashes
 * (`process.exit`, an uncaught exception, out of memory) fails only the task it was running
 * with `WorkerCrashed`, and is replaced. Cancelling a future whose task runs terminates that
 * worker and replaces it (CPU work cannot be interrupted otherwise); one still queued is
 * skipped.
 *
 * A call the pool runs on a worker gets its task's services there, from the layer the worker
 * module gives `WorkerTask.serve`: so `submit`, `map` and `mapStream` do not require a call's
 * `R` from the main thread, as they require any other effect's.
 *
 * Closing the pool's scope ends every worker. A scope that succeeded first waits for the tasks
 * the pool accepted; one that was interrupted or failed first cancels those not started (their
 * futures end `FutureCancelled`) and stops those running (a running call's worker is
 * terminated), as `FiberPool` does.
 *
 * Steering, as on a `FiberPool`:
 * - **Priorities:** `submit(call, { priority })` — higher first, equal priorities in submission
 *   order; strict, or with `aging` so that none starves. While priorities are in play (with
 *   `aging`, or while a call of priority other than 0 waits) no call is sent ahead of a worker's
 *   replies: a worker that frees starts the best-ranked of all the calls not started.
 * - **Resize:** `resize(n)` while in use. A grow starts the new worker threads and returns once
 *   they serve; waiting calls start on each as soon as it is ready. If one cannot start, `resize`
 *   fails `WorkerSpawnFailed` and the pool keeps its old size. A shrink interrupts nothing: the
 *   surplus workers retire between calls, and no call starts until they have.
 * - **Bounded submission:** `maxPending` bounds the tasks from `submit` that wait — in the pool's
 *   line, or held by a worker behind the call it runs; `onFull` says what a full line does
 *   (`"wait"`, `"fail"` or `"dropOldest"`, with `PendingLimitExceeded`). `map`, `mapStream` and
 *   the calls an effect makes are not bounded.
 * - **Draining:** `awaitIdle` and `awaitSizeBelow(n)`.
 *
 * Traces cross the thread: a call submitted under a span gets a `WorkerPool.call <task>` span (a
 * child of the submitter's, until the call settles) and its child `WorkerPool.wait` (until the
 * call starts on a worker); in the worker its task runs under the call span, so the spans it opens
 * join the submitter's trace — exported by the tracer the worker module installs with
 * `WorkerTask.serve`'s `layer` (each thread exports its own spans, as OpenTelemetry requires). A
 * call submitted with no span makes no span and sends no trace. See the README, "Traces across
 * threads".
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as WorkerThreads from "node:worker_threads"
import type { InvalidOptions, PendingLimitExceeded, PoolShutDown, WorkerCrashed, WorkerSpawnFailed } from "./Errors.js"
import type * as Executor from "./Executor.js"
import type * as Future from "./Future.js"
import * as internal from "./internal/workerPool.js"
import type * as WorkerTask from "./WorkerTask.js"

/**
 * **Example**
 *
 * ```ts
 * import { WorkerPool } from "@fiberkit/executor"
 *
 * declare const u: object
 * const isWorkerPool = WorkerPool.TypeId in u // what `WorkerPool.isWorkerPool` checks
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
 * A pool of worker threads. It is an `Executor`; a `WorkerTask` call given to `submit`, `map` or
 * `mapStream` runs on a worker and needs no services from the caller (the worker's `serve` layer
 * gives them); any other effect runs on the main thread with the caller's.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect } from "effect"
 * import type { Errors, WorkerPool, WorkerTask } from "@fiberkit/executor"
 *
 * class Db extends Context.Service<Db, { readonly url: string }>()("app/Db") {}
 * // from the worker module, whose `serve` builds a Db layer in each worker
 * declare const query: WorkerTask.WorkerTask<"query", number, string, never, Db>
 *
 * type Failure = Errors.WorkerCrashed | Errors.WorkerSpawnFailed | Errors.PoolShutDown
 *
 * // on the workers: no Db needed here
 * const rows = (pool: WorkerPool.WorkerPool): Effect.Effect<Array<string>, Failure> =>
 *   pool.map([1, 2, 3], (id) => query(id))
 * // inline: the caller gives Db
 * const inline: Effect.Effect<string, Failure, Db> = query(1)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerPool<out X = never> extends Omit<Executor.Executor, "submit">, Pipeable {
  readonly [TypeId]: TypeId
  /**
   * Queues `effect`. A call runs on a worker, and requires nothing of the caller: its task's
   * services come from the worker. Any other effect runs on the main thread, with the caller's
   * context, and its calls run on the workers, at its priority.
   *
   * `options.priority` places it in line (a finite number, default 0; higher first; not finite: a
   * defect). With `maxPending`, `onFull` decides what a full line does: wait for room, fail with
   * `PendingLimitExceeded`, or drop the oldest pending task (its future then fails with
   * `PendingLimitExceeded`) — `X` is that error.
   */
  readonly submit: {
    <A, E, R>(
      call: WorkerTask.Call<A, E, R>,
      options?: WorkerPool.SubmitOptions
    ): Effect.Effect<Future.Future<A, E | WorkerCrashed | WorkerSpawnFailed | X>, PoolShutDown | X>
    <A, E, R>(
      effect: Effect.Effect<A, E, R>,
      options?: WorkerPool.SubmitOptions
    ): Effect.Effect<Future.Future<A, E | X>, PoolShutDown | X, R>
  }
  /** `Executor.map`; calls run on the workers, requiring nothing of the caller (see `submit`). */
  readonly map: {
    <A, B, E, R>(
      items: Iterable<A>,
      f: (item: A, index: number) => WorkerTask.Call<B, E, R>
    ): Effect.Effect<Array<B>, E | WorkerCrashed | WorkerSpawnFailed | PoolShutDown>
    <A, B, E, R>(
      items: Iterable<A>,
      f: (item: A, index: number) => Effect.Effect<B, E, R>
    ): Effect.Effect<Array<B>, E | PoolShutDown, R>
  }
  /** `Executor.mapStream`; calls run on the workers, requiring nothing of the caller (see `submit`). */
  readonly mapStream: {
    <A, E1, R1, B, E, R>(
      items: Stream.Stream<A, E1, R1>,
      f: (item: A) => WorkerTask.Call<B, E, R>
    ): Stream.Stream<B, E1 | E | WorkerCrashed | WorkerSpawnFailed | PoolShutDown, R1>
    <A, E1, R1, B, E, R>(
      items: Stream.Stream<A, E1, R1>,
      f: (item: A) => Effect.Effect<B, E, R>
    ): Stream.Stream<B, E1 | E | PoolShutDown, R1 | R>
  }
  /**
   * The number of worker threads the pool keeps: at most this many calls run at once. As made, or
   * as last resized (it changes when a `resize` begins, and goes back if a grow fails).
   */
  readonly concurrency: number
  /**
   * Tasks running now: the call each worker runs (as far as the pool knows: the first one it holds),
   * and effects running on the main thread.
   */
  readonly running: Effect.Effect<number>
  /**
   * Tasks waiting: calls in the pool's line or held by a worker behind the call it runs, and
   * effects not started.
   */
  readonly pending: Effect.Effect<number>
  /**
   * Worker threads that serve now (ready, or retiring with calls still to answer; not those still
   * starting): fewer than `concurrency` while one is being replaced or a grow starts them; more
   * after a shrink, until the surplus has retired; 0 once shut down.
   */
  readonly threadCount: Effect.Effect<number>
  /**
   * Changes `concurrency` while in use (an integer from 1 to 1,024, else `InvalidOptions`). A grow starts the
   * missing worker threads and returns once each serves; waiting calls start on each as soon as it
   * is ready. If one cannot start (or the resize is interrupted), the pool goes back to its old
   * size as a shrink does — workers still starting stop, the surplus (new or old) retires between
   * calls — and `resize` fails with the `WorkerSpawnFailed`. A shrink returns at once and
   * interrupts nothing: the calls workers hold behind the one they run go back in line, and the
   * surplus workers retire between calls; no call starts until they have. Resizes run one at a
   * time; on a pool whose workers have ended (its scope closed) a resize does nothing.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type { WorkerPool } from "@fiberkit/executor"
   *
   * // two threads more for a burst of work, back to the old size once it is done
   * const burst = <A, E>(pool: WorkerPool.WorkerPool, work: Effect.Effect<A, E>) =>
   *   Effect.gen(function*() {
   *     const size = pool.concurrency
   *     yield* pool.resize(size + 2)
   *     return yield* Effect.ensuring(work, Effect.ignore(pool.resize(size)))
   *   })
   * ```
   */
  readonly resize: (concurrency: number) => Effect.Effect<void, InvalidOptions | WorkerSpawnFailed>
  /**
   * Waits until no task from `submit`, `map` or `mapStream` is pending or running: p-queue's
   * `onIdle`.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type { WorkerPool, WorkerTask } from "@fiberkit/executor"
   *
   * declare const fib: WorkerTask.WorkerTask<"fib", number, number>
   *
   * // fire and forget, then wait for the lot
   * const all = (pool: WorkerPool.WorkerPool) =>
   *   Effect.andThen(Effect.forEach([30, 31, 32], (n) => pool.submit(fib(n))), pool.awaitIdle)
   * ```
   */
  readonly awaitIdle: Effect.Effect<void>
  /**
   * Waits until fewer than `size` tasks are pending (an integer ≥ 1; else a defect): p-queue's
   * `onSizeLessThan`, back-pressure for a producer.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type { WorkerPool, WorkerTask } from "@fiberkit/executor"
   *
   * declare const fib: WorkerTask.WorkerTask<"fib", number, number>
   *
   * // never more than 100 calls waiting, however long the input
   * const produce = (pool: WorkerPool.WorkerPool, inputs: Iterable<number>) =>
   *   Effect.forEach(inputs, (n) => Effect.andThen(pool.awaitSizeBelow(100), pool.submit(fib(n))))
   * ```
   */
  readonly awaitSizeBelow: (size: number) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 */
export declare namespace WorkerPool {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /**
     * The worker module: a file URL (`new URL("./tasks.js", import.meta.url)`) or an absolute
     * path. It must run the effect `WorkerTask.serve` returns. A `.js` URL whose file does not
     * exist but whose `.ts` sibling does runs the TypeScript source through tsx, so one URL works
     * from the sources and from the build.
     */
    readonly module: string | URL
    /**
     * The number of worker threads, an integer from 1 to 1,024 (`resize` changes it). Default: the
     * number of CPUs (at most 1,024).
     */
    readonly concurrency?: number | undefined
    /** Replace a worker after it has run this many tasks (an integer ≥ 1). Default: never. */
    readonly maxTasksPerWorker?: number | undefined
    /**
     * A call each worker runs before any task, with the services of its `serve` layer; if it
     * fails, the worker does not start.
     */
    readonly initializer?: WorkerTask.Call<unknown, unknown, unknown> | undefined
    /**
     * How long a worker may take to start (load its module, build its `serve` layer, run the
     * initializer), and to release its layer when the pool ends it. Default: 20 seconds.
     */
    readonly spawnTimeout?: Duration.Input | undefined
    /** Node's limits for each worker thread, e.g. `{ maxOldGenerationSizeMb: 256 }`. */
    readonly resourceLimits?: WorkerThreads.ResourceLimits | undefined
    /**
     * The pool's name in a Timeline (`@fiberkit/observe`), which records each call that ran on a
     * worker thread, on the lane of its worker (`worker 0` … `worker <concurrency - 1>`; a replacement
     * worker takes the lane of the one it replaces, a worker started by a grow the lowest free lane;
     * after a shrink, the workers left keep theirs); also its metrics' `group`. Default: its number,
     * in order of creation. Also the `fiberkit.pool.name` attribute of the spans of its calls (none
     * when not given).
     */
    readonly name?: string | undefined
    /**
     * The most tasks from `submit` waiting, an integer ≥ 0: calls in the pool's line or held by a
     * worker behind the call it runs (a worker is sent calls ahead of its replies), and effects not
     * started. A task an idle worker would take at once is never held by the bound. Default: no
     * bound. `map`, `mapStream` and the calls an effect makes are not bounded.
     */
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
   * import type { WorkerPool, WorkerTask } from "@fiberkit/executor"
   *
   * declare const render: WorkerTask.WorkerTask<"render", string, Uint8Array>
   *
   * const urgent: WorkerPool.WorkerPool.SubmitOptions = { priority: 10 }
   * const preview = (pool: WorkerPool.WorkerPool) => pool.submit(render("page 1"), urgent)
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
 * Starts a pool in the current scope, every worker started before it returns. Fails with
 * `WorkerSpawnFailed` if a worker cannot start, and `InvalidOptions` for a `concurrency` or
 * `maxTasksPerWorker` below 1, or a `maxPending`, `onFull` or `aging` out of range. With
 * `onFull: "fail"` or `"dropOldest"` the pool's type says that submits and their futures may fail
 * with `PendingLimitExceeded`. The type follows the options' static type: write `maxPending` (and
 * `onFull`) in the options themselves — options widened to a type without them still bound the line
 * at run time, but the result's type would not say so.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerPool, type WorkerTask } from "@fiberkit/executor"
 *
 * // from ./fib.js, a module that declares `fib` with `WorkerTask.make` and runs `WorkerTask.serve([fib])`
 * declare const fib: WorkerTask.WorkerTask<"fib", number, number>
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* WorkerPool.make({ module: new URL("./fib.js", import.meta.url), concurrency: 2 })
 *   return yield* pool.map([30, 31, 32, 33], (n) => fib(n)) // in parallel, on two threads
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make(
  options: WorkerPool.Options & { readonly maxPending: number; readonly onFull: "fail" | "dropOldest" }
): Effect.Effect<WorkerPool<PendingLimitExceeded>, InvalidOptions | WorkerSpawnFailed, Scope.Scope>
export function make(
  options: WorkerPool.Options & { readonly onFull?: "wait" | undefined }
): Effect.Effect<WorkerPool, InvalidOptions | WorkerSpawnFailed, Scope.Scope>
export function make(
  options: WorkerPool.Options
): Effect.Effect<WorkerPool<PendingLimitExceeded>, InvalidOptions | WorkerSpawnFailed, Scope.Scope>
export function make(
  options: WorkerPool.Options
): Effect.Effect<WorkerPool<PendingLimitExceeded>, InvalidOptions | WorkerSpawnFailed, Scope.Scope> {
  // without `"fail"` or `"dropOldest"` no task or submit ever fails with `PendingLimitExceeded`
  return internal.make(options)
}

/**
 * Whether `u` is a `WorkerPool`.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerPool } from "@fiberkit/executor"
 *
 * declare const u: unknown
 * const threads = WorkerPool.isWorkerPool(u) ? u.concurrency : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isWorkerPool = (u: unknown): u is WorkerPool => hasProperty(u, TypeId)
