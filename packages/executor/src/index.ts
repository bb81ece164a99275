/**
 * `concurrent.futures` for Effect: Future, the Executor interface, FiberPool (the ThreadPoolExecutor
 * of Effect) and WorkerPool (the ProcessPoolExecutor: worker threads).
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The typed errors of the package.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * Executor: the interface of every pool, and `asCompleted` / `wait` over futures.
 *
 * @since 0.1.0
 */
export * as Executor from "./Executor.js"

/**
 * FiberPool: the ThreadPoolExecutor of Effect.
 *
 * @since 0.1.0
 */
export * as FiberPool from "./FiberPool.js"

/**
 * Future: the handle of a submitted task.
 *
 * @since 0.1.0
 */
export * as Future from "./Future.js"

/**
 * WorkerPool: the ProcessPoolExecutor of Effect, on worker threads.
 *
 * @since 0.1.0
 */
export * as WorkerPool from "./WorkerPool.js"

/**
 * WorkerTask: tasks declared once for the main thread and the workers.
 *
 * @since 0.1.0
 */
export * as WorkerTask from "./WorkerTask.js"
