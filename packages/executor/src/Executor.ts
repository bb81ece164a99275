/**
 * The interface every fiberkit executor implements — `FiberPool` (threads) and `WorkerPool`
 * (processes) — so code written against an `Executor` runs on either; and the functions that
 * wait on many futures at once, Python's `as_completed` and `wait`.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { PoolShutDown } from "./Errors.js"
import type * as Future from "./Future.js"
import { subscribe } from "./internal/future.js"

/**
 * What `FiberPool` and `WorkerPool` share: code written against an `Executor` runs on either.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Executor } from "@fiberkit/executor"
 *
 * // the same function on a FiberPool (fibers) or a WorkerPool (threads)
 * const checksums = (executor: Executor.Executor, files: ReadonlyArray<string>) =>
 *   executor.map(files, (file) => Effect.sync(() => file.length))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Executor {
  /**
   * Queues `effect`; it starts when a worker is free, in submission order. It runs with the
   * caller's context — its services, log annotations, log spans, log level and minimum log
   * level, and the rest of what Effect keeps there — as if the caller had forked it; `map` and
   * `mapStream` as well.
   */
  readonly submit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<Future.Future<A, E>, PoolShutDown, R>
  /**
   * Applies `f` to every item on the executor's workers; results in input order. At most the
   * executor's worker count run at once, and no task is created before a worker can take it.
   * Fails with the first failure and interrupts the rest (Effect's `forEach` semantics).
   */
  readonly map: <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ) => Effect.Effect<Array<B>, E | PoolShutDown, R>
  /** `map` over a stream: results in input order, memory bounded by the worker count. */
  readonly mapStream: <A, E1, R1, B, E, R>(
    items: Stream.Stream<A, E1, R1>,
    f: (item: A) => Effect.Effect<B, E, R>
  ) => Stream.Stream<B, E1 | E | PoolShutDown, R1 | R>
  /**
   * Stops accepting tasks. `cancelFutures` cancels those not started yet; `wait` (default
   * true) waits until every accepted task has ended.
   */
  readonly shutdown: (options?: Executor.ShutdownOptions) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 */
export declare namespace Executor {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface ShutdownOptions {
    /** Wait until every accepted task has ended. Default: true. */
    readonly wait?: boolean | undefined
    /** Cancel the tasks that have not started. Default: false. */
    readonly cancelFutures?: boolean | undefined
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export type ReturnWhen = "FIRST_COMPLETED" | "FIRST_EXCEPTION" | "ALL_COMPLETED"

  /**
   * @since 0.1.0
   * @category models
   */
  export interface WaitResult<A, E> {
    readonly done: ReadonlyArray<Future.Future<A, E>>
    readonly notDone: ReadonlyArray<Future.Future<A, E>>
  }
}

/**
 * The futures as they finish, first finished first (Python's `as_completed`). Each future is
 * yielded once; the stream ends after the last. Once the stream ends — its last future, a
 * consumer that stops early, an interruption — nothing it registered stays on the futures.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Executor, FiberPool } from "@fiberkit/executor"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ concurrency: 3 })
 *   const futures = yield* Effect.forEach([3, 1, 2], (s) => pool.submit(Effect.as(Effect.sleep(`${s} seconds`), s)))
 *   yield* Executor.asCompleted(futures).pipe(
 *     Stream.mapEffect((future) => future.result),
 *     Stream.runForEach((s) => Effect.log(`finished after ${s}s`)) // 1, 2, 3
 *   )
 * }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const asCompleted = <A, E>(
  futures: Iterable<Future.Future<A, E>>
): Stream.Stream<Future.Future<A, E>> =>
  Stream.suspend(() => {
    const all = [...new Set(futures)]
    if (all.length === 0) return Stream.empty
    return Stream.callback<Future.Future<A, E>>((queue) => {
      let finished = 0
      // registered in one step and removed when the stream ends, however it ends (the consumer
      // stopped early, an interruption): no registration outlives it on a future still pending
      return Effect.acquireRelease(
        Effect.forEach(all, (future) =>
          subscribe(future, () => {
            Queue.offerUnsafe(queue, future)
            if (++finished === all.length) Queue.endUnsafe(queue)
          })),
        (stops) =>
          Effect.sync(() => {
            for (const stop of stops) stop()
          })
      )
    }, { bufferSize: all.length })
  })

/**
 * Waits until the condition `returnWhen` holds (Python's `concurrent.futures.wait`):
 * `"FIRST_COMPLETED"` — any future is done; `"FIRST_EXCEPTION"` — any failed (a cancellation
 * does not count, as in Python), or all are done; `"ALL_COMPLETED"` (default) — all are done.
 * Returns the futures split into `done` and `notDone` at that moment. Use `Effect.timeout` for a
 * time limit. However it ends, it leaves no callback on the futures still pending, so calling it
 * in a loop on the same pending futures costs nothing that piles up.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Executor, type Future } from "@fiberkit/executor"
 *
 * declare const futures: ReadonlyArray<Future.Future<number, string>>
 * const first = Executor.wait(futures, { returnWhen: "FIRST_COMPLETED" })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const wait = <A, E>(
  futures: Iterable<Future.Future<A, E>>,
  options?: { readonly returnWhen?: Executor.ReturnWhen | undefined }
): Effect.Effect<Executor.WaitResult<A, E>> =>
  Effect.gen(function*() {
    const all = [...new Set(futures)]
    const returnWhen = options?.returnWhen ?? "ALL_COMPLETED"
    // Python: a cancelled future does not count as an exception
    const failed = (future: Future.Future<A, E>) =>
      Effect.zipWith(future.await, future.isCancelled, (exit, cancelled) => Exit.isFailure(exit) && !cancelled)
    yield* asCompleted(all).pipe(
      Stream.mapEffect((future) => returnWhen === "FIRST_EXCEPTION" ? failed(future) : Effect.succeed(true)),
      Stream.takeUntil((stop) => returnWhen !== "ALL_COMPLETED" && stop),
      Stream.runDrain
    )
    const done: Array<Future.Future<A, E>> = []
    const notDone: Array<Future.Future<A, E>> = []
    for (const future of all) {
      if (yield* future.isDone) done.push(future)
      else notDone.push(future)
    }
    return { done, notDone }
  })
