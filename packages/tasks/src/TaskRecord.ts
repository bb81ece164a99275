/**
 * A task as a store keeps it — its state, attempts, timings, progress and trace — and the filter
 * that lists tasks (`TaskManager.list`).
 *
 * @since 0.5.0
 */

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskManager, TaskStore } from "@fiberkit/tasks"
 *
 * const ended = (state: TaskStore.TaskState): boolean =>
 *   state === "succeeded" || state === "failed" || state === "cancelled"
 *
 * declare const manager: TaskManager.TaskManager<TaskManager.TaskDefinition.Any>
 * const isEnded = (id: string) => Effect.map(manager.status(id), (record) => ended(record.state))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskState = "queued" | "running" | "succeeded" | "failed" | "cancelled"

/**
 * A task as stored: its arguments encoded by its Schema, its state, and its timings (epoch ms).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskManager, TaskStore } from "@fiberkit/tasks"
 *
 * const describe = (task: TaskStore.TaskRecord): string =>
 *   task.state === "failed"
 *     ? `${task.name} ${task.id} failed after ${task.attempts} attempts: ${task.error}`
 *     : `${task.name} ${task.id} ${task.state}, added ${new Date(task.addedAt).toISOString()}`
 *
 * declare const manager: TaskManager.TaskManager<TaskManager.TaskDefinition.Any>
 * const report = (id: string) => Effect.map(manager.status(id), describe)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskRecord {
  readonly id: string
  readonly name: string
  readonly args: unknown
  readonly state: TaskState
  /**
   * Its place in the queue: higher priorities are taken first, equal ones in order of adding (the
   * `NewTask`'s, 0 when it had none — a store that does not rank gives 0 for every task).
   */
  readonly priority: number
  /** Attempts started so far (a task that was running when its process died counts that attempt). */
  readonly attempts: number
  /**
   * Attempts that failed so far, each one an input of the retry Schedule (an attempt stopped by a
   * shutdown or cut short by a crash is not one). A task taken again after a restart resumes its
   * Schedule after these.
   */
  readonly failures: number
  readonly addedAt: number
  /** When the last attempt started. */
  readonly startedAt: number | undefined
  readonly finishedAt: number | undefined
  /** The last failure, as text (a replay clears it). */
  readonly error: string | undefined
  /** Not taken before this time (epoch ms): added with a `delay` or `runAt`; `undefined` if not delayed. */
  readonly runAt: number | undefined
  /** The last progress the task reported (`TaskContext.progress`); `undefined` if none. */
  readonly progress: number | undefined
  /** How often the task was replayed from the failed state (`TaskManager.retry` / `retryAll`). */
  readonly replays: number
  /** The span it was added under (the parent of its spans); `undefined` if it was added under none. */
  readonly trace: TaskTrace | undefined
}

/**
 * The ids of the span a task was added under: its wait and run spans, in whichever process runs
 * it, are that span's children (see the README's "Traces").
 *
 * **Example**
 *
 * ```ts
 * import { Tracer } from "effect"
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * const parentOf = (task: TaskStore.TaskRecord) => task.trace === undefined ? undefined : Tracer.externalSpan(task.trace)
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface TaskTrace {
  readonly traceId: string
  readonly spanId: string
  readonly sampled: boolean
}

/**
 * Which tasks `list` returns: those in `state` (default: every state) of the task definition
 * `name` (default: every definition), the oldest first, at most `limit` (default 1,000).
 *
 * **Example**
 *
 * ```ts
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * const deadLetters: TaskStore.ListFilter = { state: "failed", name: "send-email", limit: 100 }
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface ListFilter {
  readonly state?: TaskState | undefined
  readonly name?: string | undefined
  readonly limit?: number | undefined
}
