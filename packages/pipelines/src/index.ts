/**
 * Concurrent HTTP fetching, file processing and batching for Effect, on real I/O: per-URL results
 * with typed failures, streaming file processors, order-keeping batches, progress.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * Batch: fixed-size batches processed concurrently, results in order.
 *
 * @since 0.1.0
 */
export * as Batch from "./Batch.js"

/**
 * The typed failures of the package.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * Fetch: many URLs at once, one result or typed failure each.
 *
 * @since 0.1.0
 */
export * as Fetch from "./Fetch.js"

/**
 * Files: many files at once, with streaming processors.
 *
 * @since 0.1.0
 */
export * as Files from "./Files.js"

/**
 * Progress: counts and a terminal bar for long runs.
 *
 * @since 0.1.0
 */
export * as Progress from "./Progress.js"
