/**
 * What the dashboard page shows, as the JSON it receives: every instance's figures, the task
 * records of the moving Timeline, and the tasks of every watched task manager. The page gets one
 * snapshot at once and then one every `every` (Server-Sent Events on `/events`); `GET
 * /api/snapshot` answers one, for scripts.
 *
 * @since 0.1.0
 */
import type * as Recorder from "@fiberkit/sync/Recorder"
import type * as Telemetry from "@fiberkit/sync/Telemetry"

/**
 * Wait or run times of an instance, in milliseconds: `p50`, `p95` and `p99` are the upper bounds
 * of the histogram buckets those percentiles fall in (at most `max`); all `undefined` before the
 * first observation.
 *
 * **Example**
 *
 * ```ts
 * import type { Snapshot } from "@fiberkit/dashboard"
 *
 * const describe = (times: Snapshot.Percentiles) =>
 *   times.count === 0 ? "none yet" : `p50 ≤ ${times.p50} ms, p99 ≤ ${times.p99} ms over ${times.count}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Percentiles {
  /** How many were observed. */
  readonly count: number
  readonly p50: number | undefined
  readonly p95: number | undefined
  readonly p99: number | undefined
  readonly max: number | undefined
}

/**
 * One pool, limiter, queue or task manager (or one task name of a task manager, with `task`), as
 * its Telemetry metrics tell it.
 *
 * **Example**
 *
 * ```ts
 * import type { Snapshot } from "@fiberkit/dashboard"
 *
 * const busiest = (instances: ReadonlyArray<Snapshot.Instance>) =>
 *   [...instances].sort((a, b) => b.pending - a.pending)[0]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Instance {
  /** What it is: `"FiberPool"`, `"WorkerPool"`, `"RateLimiter"`, `"JoinableQueue"`, `"TaskManager"` … */
  readonly source: string
  /** Which one: the name given when it was made, or its number. */
  readonly group: string
  /** For a task manager's row per task name: that name. */
  readonly task: string | undefined
  /** Items inside now (started, not ended). */
  readonly running: number
  /** Items waiting now. */
  readonly pending: number
  /** Its limit (size, permits, capacity, concurrency), when it publishes one. */
  readonly limit: number | undefined
  readonly waitTime: Percentiles
  readonly runTime: Percentiles
  /** Items ended so far, by outcome. */
  readonly outcomes: Readonly<Record<Telemetry.Outcome, number>>
}

/**
 * A task of a watched task manager, as the page lists it.
 *
 * **Example**
 *
 * ```ts
 * import type { Snapshot } from "@fiberkit/dashboard"
 *
 * const line = (task: Snapshot.Task) => `${task.id} ${task.name} ${task.state}${task.error ? `: ${task.error}` : ""}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Task {
  readonly id: string
  readonly name: string
  readonly state: TaskState
  readonly attempts: number
  /** Times in epoch milliseconds. */
  readonly addedAt: number
  readonly startedAt: number | undefined
  readonly finishedAt: number | undefined
  /** The last error of a failed task. */
  readonly error: string | undefined
  readonly progress: number | undefined
  readonly replays: number
}

/**
 * The states a task manager's task goes through.
 *
 * **Example**
 *
 * ```ts
 * import type { Snapshot } from "@fiberkit/dashboard"
 *
 * const finished = (state: Snapshot.TaskState) => state !== "queued" && state !== "running"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskState = "queued" | "running" | "succeeded" | "failed" | "cancelled"

/**
 * One watched task manager: its tasks by state — the oldest `tasksPerState` queued and running
 * (the next to run), the newest `tasksPerState` of each finished state (among the oldest 1,000 the
 * store lists); `more` says a state has more than that — and, when its store failed or did not
 * answer within 3 seconds, why (with the tasks it listed last).
 *
 * **Example**
 *
 * ```ts
 * import type { Snapshot } from "@fiberkit/dashboard"
 *
 * const failed = (manager: Snapshot.TaskManager) => manager.tasks.filter((task) => task.state === "failed")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskManager {
  /** The name it was watched under. */
  readonly name: string
  readonly tasks: ReadonlyArray<Task>
  /** The states that have more tasks than the page was sent. */
  readonly more: ReadonlyArray<TaskState>
  /** Why its tasks could not be read this time (its store failed or did not answer), else `undefined`. */
  readonly error: string | undefined
}

/**
 * Everything the page shows at one moment.
 *
 * **Example**
 *
 * ```ts
 * import type { Snapshot } from "@fiberkit/dashboard"
 *
 * const summary = (snapshot: Snapshot.Snapshot) =>
 *   `${snapshot.instances.length} instances, ${snapshot.records.length} new task records`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Snapshot {
  /** Now, on the clock of the task records (milliseconds). */
  readonly now: number
  /** The Timeline's span in milliseconds: the page shows at most this much of the past. */
  readonly windowMillis: number
  /** Whether the actions (cancel, retry, retry all failed) are allowed. */
  readonly write: boolean
  readonly instances: ReadonlyArray<Instance>
  /** The task records ended since the page's last snapshot (all kept ones in a first snapshot). */
  readonly records: ReadonlyArray<Recorder.TaskRecord>
  /** Where the next snapshot's records start: the page sends it back to get only newer ones. */
  readonly cursor: number
  readonly taskManagers: ReadonlyArray<TaskManager>
}
