/**
 * A background TaskManager for Effect that loses nothing: workers, retries on a Schedule,
 * timeouts, a results stream, and a durable SQLite store that survives crashes. The stores
 * that need optional peers are modules of their own, not in this index, so that importing it
 * never loads them: `@fiberkit/tasks/SqliteStore` (`better-sqlite3`) and
 * `@fiberkit/tasks/BullMQStore` (`bullmq`, `ioredis`).
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * AddOptions: how a task is added — its id, priority, delay and deduplication.
 *
 * @since 0.5.0
 */
export * as AddOptions from "./AddOptions.js"

/**
 * The typed errors of the package.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * TaskContext: what a running task knows about itself, and how it reports its progress.
 *
 * @since 0.4.0
 */
export * as TaskContext from "./TaskContext.js"

/**
 * TaskDefinition: a kind of task, with its own retry, timeout and priority.
 *
 * @since 0.4.0
 */
export * as TaskDefinition from "./TaskDefinition.js"

/**
 * TaskManager: background tasks with workers, retries, timeouts and results.
 *
 * @since 0.1.0
 */
export * as TaskManager from "./TaskManager.js"

/**
 * TaskRecord: a task as stored, and the filter that lists tasks.
 *
 * @since 0.5.0
 */
export * as TaskRecord from "./TaskRecord.js"

/**
 * TaskResult: the end of a task, typed by its definition.
 *
 * @since 0.3.0
 */
export * as TaskResult from "./TaskResult.js"

/**
 * TaskSchedule: recurring tasks on a cron expression or an Effect Schedule, once per tick across processes.
 *
 * @since 0.4.0
 */
export * as TaskSchedule from "./TaskSchedule.js"

/**
 * TaskStore: where a TaskManager keeps its tasks.
 *
 * @since 0.1.0
 */
export * as TaskStore from "./TaskStore.js"
