/**
 * Where a `TaskManager` keeps its tasks: one service, several stores. The manager only talks to
 * this interface — it adds tasks, takes the next one to run, and records attempts and outcomes —
 * so a store for many processes on many machines can replace the local ones without changing
 * the manager.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { InvalidOptions, TaskStoreError } from "./Errors.js"
import * as internal from "./internal/localStore.js"
import type * as TaskManager from "./TaskManager.js"
import type { ListFilter, TaskRecord, TaskTrace } from "./TaskRecord.js"

export type {
  /**
   * A task's list filter (the `TaskRecord` module's, here too).
   *
   * @since 0.4.0
   * @category models
   */
  ListFilter,
  /**
   * A task as stored (the `TaskRecord` module's, here too).
   *
   * @since 0.1.0
   * @category models
   */
  TaskRecord,
  /**
   * A task's state (the `TaskRecord` module's, here too).
   *
   * @since 0.1.0
   * @category models
   */
  TaskState,
  /**
   * The span a task was added under (the `TaskRecord` module's, here too).
   *
   * @since 0.4.0
   * @category models
   */
  TaskTrace
} from "./TaskRecord.js"

/**
 * Which definitions a taker takes now (`TaskStore.takeAdmitted`), and what it is told as it takes:
 * `taken` in the step the store hands it a task, `untaken` if that task goes back unstarted (the
 * taker was interrupted first, or the start could not be written).
 *
 * **Example**
 *
 * ```ts
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * // at most 2 "report" tasks at once for this taker's manager
 * let reports = 0
 * const admission: TaskStore.Admission = {
 *   accepts: (name) => name !== "report" || reports < 2,
 *   taken: (name) => void (name === "report" && reports++),
 *   untaken: (name) => void (name === "report" && reports--)
 * }
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface Admission {
  /** Whether a task of the definition `name` may be taken now. */
  readonly accepts: (name: string) => boolean
  /** A task of `name` was handed to this taker (in the step that handed it). */
  readonly taken: (name: string) => void
  /** A task of `name` handed to this taker went back to the queue unstarted. */
  readonly untaken: (name: string) => void
}

/**
 * Where the schedules of every manager on a store keep their last tick (epoch ms): a manager
 * resumes a schedule from it after a restart. `advance` never moves a tick back.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * const lastNightly = (store: TaskStore.TaskStore) =>
 *   Effect.map(store.ticks.last("nightly"), (at) => at === undefined ? "never ran" : new Date(at).toISOString())
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface ScheduleTicks {
  /** The schedule's last tick (epoch ms); `undefined` if it never ticked on this store. */
  readonly last: (schedule: string) => Effect.Effect<number | undefined, TaskStoreError>
  /** Records a tick of the schedule, unless a later one is recorded. */
  readonly advance: (schedule: string, at: number) => Effect.Effect<void, TaskStoreError>
}

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * // a store that logs the tasks it is given, around another one
 * const logAdds = (store: TaskStore.TaskStore): TaskStore.TaskStore => ({
 *   ...store,
 *   add: (tasks: ReadonlyArray<TaskStore.NewTask>) =>
 *     Effect.tap(store.add(tasks), (added) => Effect.log(`${added} new of ${tasks.map((task) => task.id).join(", ")}`))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface NewTask {
  readonly id: string
  readonly name: string
  readonly args: unknown
  /** Higher is taken first; equal priorities in order of adding. Default: 0. */
  readonly priority?: number | undefined
  readonly addedAt: number
  /** Not taken before this time (epoch ms). Default: at once. */
  readonly runAt?: number | undefined
  /** The span it was added under. */
  readonly trace?: TaskTrace | undefined
}

/**
 * A deduplication window as the store sees it (`TaskManager.AddOptions.dedupe`, resolved by the
 * manager): `key` names the window — the definition, the mode and the caller's key in one
 * string — and `ttl` is in whole milliseconds, ≥ 1. For `debounce`, the task's `runAt` is its
 * `addedAt` + `ttl`.
 *
 * **Example**
 *
 * ```ts
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * const describe = (window: TaskStore.DedupeWindow): string => `${window.mode} ${window.key} for ${window.ttl} ms`
 * ```
 *
 * @since 0.5.0
 * @category models
 */
export interface DedupeWindow {
  readonly key: string
  readonly mode: "throttle" | "debounce"
  readonly ttl: number
}

/**
 * What `addDeduped` did: the id of the task that stands for the add, and whether that task is
 * the one it added (`false`: the window's task, or a task that held the id already).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * const report = (outcome: TaskStore.Deduped) =>
 *   Effect.log(outcome.added ? `added ${outcome.id}` : `deduplicated into ${outcome.id}`)
 * ```
 *
 * @since 0.5.0
 * @category models
 */
export interface Deduped {
  readonly id: string
  readonly added: boolean
}

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskStore } from "@fiberkit/tasks"
 *
 * const describe = (id: string, outcome: TaskStore.Outcome): string =>
 *   `${id} ${outcome.state} at ${new Date(outcome.at).toISOString()}${outcome.error ? `: ${outcome.error}` : ""}`
 *
 * // a store that logs how each task ends, once the end is stored
 * const logEnds = (store: TaskStore.TaskStore): TaskStore.TaskStore => ({
 *   ...store,
 *   finish: (id, outcome) => Effect.andThen(store.finish(id, outcome), Effect.log(describe(id, outcome)))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome {
  readonly state: "succeeded" | "failed" | "cancelled"
  readonly at: number
  readonly error?: string | undefined
  /**
   * The task ended before the attempt `take` counted started (cancelled on its way to its
   * worker): that attempt is not counted, and the start time is the one before the take.
   */
  readonly unstarted?: boolean | undefined
}

/**
 * The store contract. A durable store has written a change before the effect that makes it
 * succeeds, and a change whose effect fails has not happened: the store holds what it held
 * before, in memory as on disk.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { TaskStore } from "@fiberkit/tasks"
 * import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
 *
 * // the SQLite store, logging what a start finds left over from the last run
 * const StoreLive = Layer.effect(
 *   TaskStore.TaskStore,
 *   Effect.map(TaskStore.TaskStore, (store): TaskStore.TaskStore => ({
 *     ...store,
 *     recover: Effect.tap(store.recover, (tasks) => Effect.log(`${tasks.length} unfinished tasks from the last run`))
 *   }))
 * ).pipe(Layer.provide(SqliteStore.layer({ filename: "tasks.db" })))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskStore {
  /**
   * Stores tasks as queued, in this order; a task whose id the store already holds is skipped.
   * Returns how many were added.
   */
  readonly add: (tasks: ReadonlyArray<NewTask>) => Effect.Effect<number, TaskStoreError>
  /**
   * Adds a task through a deduplication window (see `TaskManager.Dedupe`), in one step with
   * reading the window: a task whose id the store holds adds nothing (and opens no window); else,
   * while `window.key`'s window is open, nothing is added — a debounce moves the window's task to
   * `task.runAt` — and the window's task id is returned; else the task is added and opens the
   * window, from `task.addedAt`.
   */
  readonly addDeduped: (task: NewTask, window: DedupeWindow) => Effect.Effect<Deduped, TaskStoreError>
  /**
   * Waits for the first queued task whose `runAt` has come — the highest priority, the oldest of
   * it — and marks it running: one more attempt, started `now`.
   * Only the wait is interruptible, whatever the caller's region, and interrupting it takes
   * nothing. The manager's workers call it in an uninterruptible region, so that the task it
   * returns is theirs with no gap for an interruption in between: a store must make its wait
   * interruptible itself (`Effect.interruptible`), not through the caller's `restore`.
   */
  readonly take: Effect.Effect<TaskRecord, TaskStoreError>
  /**
   * `take`, for a taker that takes only some definitions (a manager whose definitions have a
   * `concurrency`): the store passes over the tasks of the definitions `admission` refuses, and
   * tells it of each task it takes or gives back, in the step that does it.
   */
  readonly takeAdmitted: (admission: Admission | undefined) => Effect.Effect<TaskRecord, TaskStoreError>
  /** Serves the waiting takers again: an admission may take more than when they began to wait. */
  readonly reconsider: Effect.Effect<void>
  /**
   * An attempt of a running task failed, and the retry Schedule will run another: one more
   * failure, and its text as the task's `error`. Called as the attempt ends, before the retry's
   * delay, so that a stop during the delay keeps the count.
   */
  readonly failed: (id: string, error: string) => Effect.Effect<void, TaskStoreError>
  /** Another attempt of a running task starts at `at`. */
  readonly attempt: (id: string, at: number) => Effect.Effect<void, TaskStoreError>
  /** A running task ended: its final state (a `failed` one counts one more failure). */
  readonly finish: (id: string, outcome: Outcome) => Effect.Effect<void, TaskStoreError>
  /**
   * Cancels a queued task, which then never runs; `false` if it is not queued (being taken,
   * running or finished).
   */
  readonly cancel: (id: string, at: number) => Effect.Effect<boolean, TaskStoreError>
  /**
   * A running task goes back to the front of the queue, before the tasks of its priority
   * (stopped by a shutdown without drain).
   * `unstarted`: the attempt `take` counted never started (the stop came as it was taken): it is
   * not counted, as in `Outcome`.
   */
  readonly release: (id: string, unstarted?: boolean) => Effect.Effect<void, TaskStoreError>
  /**
   * A failed task goes back to the queue (a dead letter replayed): its failures start again from
   * 0 (a fresh retry Schedule), its error is cleared, its attempts are kept, and `replays` counts
   * one more. `false` if the task is not failed (a cancelled task is never replayed).
   */
  readonly replay: (id: string) => Effect.Effect<boolean, TaskStoreError>
  /** The tasks `filter` selects, the oldest first. */
  readonly list: (filter?: ListFilter) => Effect.Effect<ReadonlyArray<TaskRecord>, TaskStoreError>
  /** Each schedule's last tick (`TaskSchedule`), shared by every manager on the store. */
  readonly ticks: ScheduleTicks
  /** A running task reported its progress. */
  readonly progress: (id: string, value: number) => Effect.Effect<void, TaskStoreError>
  /** The task with this id, in whatever state; `None` if unknown (the memory store forgets old finished tasks). */
  readonly get: (id: string) => Effect.Effect<Option.Option<TaskRecord>, TaskStoreError>
  /**
   * Called once when a manager starts: tasks left running by a process that died go back to the
   * queue — a bounded number of times: a durable store fails a task it finds running too often
   * (it may be what ends the process; the SQLite store's `maxRecoveries`). Returns every
   * unfinished task.
   */
  readonly recover: Effect.Effect<ReadonlyArray<TaskRecord>, TaskStoreError>
  /**
   * Set by a store that runs tasks itself, on workers of its own in many processes
   * (`BullMQStore`): `TaskManager.make` then hands it the manager's options and it serves the
   * whole manager — the local queue operations above are not used.
   */
  readonly engine?: TaskEngine | undefined
}

/**
 * A store that runs tasks itself: it makes the manager, for the same options and with the same
 * behaviour as the local one.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskStore } from "@fiberkit/tasks"
 *
 * // whether the store in the context runs tasks itself (BullMQStore) or leaves them to the manager
 * const runsTasksItself = Effect.map(TaskStore.TaskStore, (store) => store.engine !== undefined)
 *
 * const logStarts = (engine: TaskStore.TaskEngine): TaskStore.TaskEngine => ({
 *   make: (options) => Effect.tap(engine.make(options), () => Effect.log(`${options.tasks.length} kinds of task`))
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskEngine {
  /** Makes the manager in the current scope, as `TaskManager.make` would. */
  readonly make: <T extends TaskManager.TaskDefinition.Any>(
    options: TaskManager.TaskManager.Options<T>
  ) => Effect.Effect<
    TaskManager.TaskManager<T>,
    InvalidOptions | TaskStoreError,
    Scope.Scope | TaskManager.TaskDefinition.Context<T>
  >
}

/**
 * @since 0.1.0
 * @category tags
 */
export const TaskStore: Context.Service<TaskStore, TaskStore> = Context.Service<TaskStore>("@fiberkit/tasks/TaskStore")

/**
 * A store in memory: fast, and gone with the process — never a default: ask for it. It keeps the last 10,000 to
 * 20,000 finished tasks for `status`; older ones are forgotten (`status` fails `TaskNotFound`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager, TaskStore } from "@fiberkit/tasks"
 *
 * const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const store = yield* TaskStore.memory // one store, shared by two managers
 *   const first = yield* TaskManager.make({ tasks: [job], store })
 *   const second = yield* TaskManager.make({ tasks: [job], store })
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const memory: Effect.Effect<TaskStore> = internal.memory

/**
 * The memory store as a layer.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskStore } from "@fiberkit/tasks"
 *
 * declare const program: Effect.Effect<void, never, TaskStore.TaskStore>
 * const inMemory = program.pipe(Effect.provide(TaskStore.layerMemory))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TaskStore> = Layer.effect(TaskStore, memory)
