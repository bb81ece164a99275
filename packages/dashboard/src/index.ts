/**
 * A live web page of the running program: every pool, limiter, queue and task manager with its
 * figures, a moving Timeline, and the task manager's tasks with cancel and retry.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * Dashboard: the layer that serves the page, and `watchTasks` to show a task manager's tasks.
 *
 * @since 0.1.0
 */
export * as Dashboard from "./Dashboard.js"

/**
 * The typed errors of `@fiberkit/dashboard`.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * Snapshot: what the page shows, as the JSON it receives.
 *
 * @since 0.1.0
 */
export * as Snapshot from "./Snapshot.js"
