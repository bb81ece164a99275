/**
 * A background task manager that loses nothing: the guide's `BackgroundTaskManager` (worker
 * threads, a task queue, a result queue, shutdown) without its ways of losing work. Tasks are
 * defined with a Schema for their arguments, added by name, run by `concurrency` fibers, retried on
 * an Effect `Schedule`, timed out per attempt, and every outcome is published exactly once on
 * `results`. With a durable store (`SqliteStore`) an added task survives a crash.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as AddOptionsModule from "./AddOptions.js"
import type { InvalidOptions, InvalidTaskArgs, InvalidTaskId, ResultsOverflow, TaskManagerShutDown } from "./Errors.js"
import type { TaskNotFound, TaskStoreError, TaskTimeout, UnknownTask } from "./Errors.js"
import * as internal from "./internal/managerMake.js"
import type { TaskDefinition } from "./TaskDefinition.js"
import type { TaskResult } from "./TaskResult.js"
import type { TaskSchedule } from "./TaskSchedule.js"
import type * as TaskStore from "./TaskStore.js"

export {
  /**
   * Defines a task (the `TaskDefinition` module's `define`, here too: where a manager's tasks
   * were first defined).
   *
   * @since 0.1.0
   * @category constructors
   */
  define,
  /**
   * A kind of task (the `TaskDefinition` module's, here too).
   *
   * @since 0.1.0
   * @category models
   */
  type TaskDefinition
} from "./TaskDefinition.js"

/**
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const ping = TaskManager.define("ping", { args: Schema.String, run: (host) => Effect.log(`ping ${host}`) })
 * const enqueue = (
 *   manager: TaskManager.TaskManager<typeof ping>,
 *   host: string,
 *   urgent: boolean
 * ): Effect.Effect<string, TaskManager.TaskManager.AddError> =>
 *   manager.add("ping", host, { id: `ping:${host}`, priority: urgent ? 10 : 0 }) // urgent ones are taken first
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskManager<T extends TaskDefinition.Any> {
  /**
   * Adds a task (by definition or by name). Its arguments are checked and encoded with its
   * Schema first: invalid ones fail `InvalidTaskArgs` and nothing is added. With a durable
   * store the task is stored before `add` returns. Returns its id.
   */
  readonly add: {
    <D extends T>(
      task: D,
      args: TaskDefinition.Args<D>,
      options?: TaskManager.AddOptions
    ): Effect.Effect<string, TaskManager.AddError>
    <N extends T["name"]>(
      name: N,
      args: TaskDefinition.Args<Extract<T, { readonly name: N }>>,
      options?: TaskManager.AddOptions
    ): Effect.Effect<string, TaskManager.AddError>
  }
  /**
   * Adds many tasks of one kind at once: every argument is checked first (one invalid fails
   * `InvalidTaskArgs` and adds none), then all are stored together — one write to a durable
   * store. Returns their ids, in order.
   */
  readonly addAll: {
    <D extends T>(
      task: D,
      args: Iterable<TaskDefinition.Args<D>>,
      options?: TaskManager.AddAllOptions
    ): Effect.Effect<Array<string>, TaskManager.AddError>
    <N extends T["name"]>(
      name: N,
      args: Iterable<TaskDefinition.Args<Extract<T, { readonly name: N }>>>,
      options?: TaskManager.AddAllOptions
    ): Effect.Effect<Array<string>, TaskManager.AddError>
  }
  /** The task's state, attempts and timings. */
  readonly status: (id: string) => Effect.Effect<TaskStore.TaskRecord, TaskNotFound | TaskStoreError>
  /**
   * Every outcome from the moment the stream starts, once each; it ends when the manager shuts
   * down (at once if it has). A stream that falls `resultsBuffer` outcomes behind fails
   * `ResultsOverflow` rather than hold outcomes without bound.
   */
  readonly results: Stream.Stream<TaskResult<T>, ResultsOverflow>
  /**
   * `results`, subscribed before this returns: nothing that ends afterwards is missed. The
   * subscription lasts as long as its scope: when the scope closes, the stream ends after the
   * outcomes it already holds.
   */
  readonly subscribe: Effect.Effect<Stream.Stream<TaskResult<T>, ResultsOverflow>, never, Scope.Scope>
  /**
   * Waits until no task is queued or running (an `add` still being written counts: its tasks
   * too). Once the manager has stopped — a shutdown without drain, or its scope closed — with
   * tasks left queued (kept by a durable store for the next start), it fails
   * `TaskManagerShutDown` rather than wait for ever.
   */
  readonly join: Effect.Effect<void, TaskManagerShutDown>
  /**
   * Cancels a task: a queued one never runs, a running one is interrupted. `false` if it had
   * already ended, or if the manager is shut down (a queued task then stays queued).
   */
  readonly cancel: (id: string) => Effect.Effect<boolean, TaskNotFound | TaskStoreError>
  /**
   * The tasks in a state (default: all) of a definition (default: all), the oldest first, at most
   * `limit` (default 1,000). `list({ state: "failed" })` lists the dead letters: tasks whose
   * retries ran out, each with its last `error`. A filter out of range fails `InvalidOptions`. (The
   * memory store keeps its last 10,000 to 20,000 finished tasks; BullMQ, what `retain` says.)
   */
  readonly list: (
    filter?: TaskStore.ListFilter
  ) => Effect.Effect<ReadonlyArray<TaskStore.TaskRecord>, InvalidOptions | TaskStoreError>
  /**
   * Replays a dead letter: a failed task goes back to the queue, its failures counted from 0
   * again (a fresh retry Schedule), its error cleared, its attempts kept; `replays` counts one
   * more. `false` if the task is not failed (a cancelled task is never replayed, a task replayed
   * by another call is not replayed twice); `TaskNotFound` if unknown; `TaskManagerShutDown`
   * after a shutdown.
   */
  readonly retry: (id: string) => Effect.Effect<boolean, TaskNotFound | TaskManagerShutDown | TaskStoreError>
  /**
   * Replays every task failed when it is called (of the definition `name`, if given), each once;
   * returns how many went back to the queue.
   */
  readonly retryAll: (
    filter?: { readonly name?: string | undefined }
  ) => Effect.Effect<number, InvalidOptions | TaskManagerShutDown | TaskStoreError>
  /**
   * Stops accepting tasks. `drain: true` runs every queued task to its end first; otherwise
   * running tasks are interrupted and go back to the queue, and queued ones stay there (in a
   * durable store, they run after the next start). Closing the manager's scope is
   * `shutdown({ drain: false })`.
   */
  readonly shutdown: (options?: { readonly drain?: boolean | undefined }) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 */
export declare namespace TaskManager {
  /**
   * @since 0.1.0
   * @category models
   */
  export type AddError =
    | InvalidTaskArgs
    | InvalidTaskId
    | InvalidOptions
    | UnknownTask
    | TaskManagerShutDown
    | TaskStoreError

  /**
   * How a task is added: its id, priority, delay and deduplication (see the `AddOptions` module).
   *
   * @since 0.1.0
   * @category models
   */
  export type AddOptions = AddOptionsModule.AddOptions

  /**
   * A deduplication window (see the `AddOptions` module).
   *
   * @since 0.5.0
   * @category models
   */
  export type Dedupe = AddOptionsModule.Dedupe

  /**
   * `add`'s options for each task of an `addAll` (see the `AddOptions` module).
   *
   * @since 0.4.0
   * @category models
   */
  export type AddAllOptions = AddOptionsModule.AddAllOptions

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options<T extends TaskDefinition.Any> {
    readonly tasks: ReadonlyArray<T>
    /**
     * Fibers running tasks, an integer ≥ 1. Default: 4. With a store that runs tasks on many
     * processes (`BullMQStore`) it is this process's share, and 0 makes a producer that runs none.
     */
    readonly concurrency?: number | undefined
    /**
     * When a failed attempt is tried again (its input is the attempt's typed error, or
     * `TaskTimeout`), for tasks whose definition has no `retry` of its own. Default: never.
     */
    readonly retry?: Schedule.Schedule<unknown, NoInfer<TaskDefinition.Error<T>> | TaskTimeout> | undefined
    /**
     * The most an attempt may run, for tasks whose definition has no `timeout` of its own; a
     * longer one fails `TaskTimeout`. Default: no limit.
     */
    readonly timeout?: Duration.Input | undefined
    /**
     * Where tasks are kept. Without it, the `TaskStore` service, which `make` then requires (its
     * `R` says so): provide `SqliteStore.layer(…)`, `BullMQStore.layer(…)` or, deliberately,
     * `TaskStore.layerMemory`. There is no silent fallback to memory.
     */
    readonly store?: TaskStore.TaskStore | undefined
    /**
     * When a store operation of a worker that failed (a database error) is tried again; its
     * input is the `TaskStoreError`. Each failure is logged as a warning (with the operation, the
     * task id and the error), and giving up as an error. Default: `defaults.storeRetry` —
     * exponential from 100 ms, each delay at most 5 seconds, 10 retries (about 26 seconds).
     *
     * When it gives up: a task's outcome is published all the same (so `join` and a drained
     * shutdown end) and `status` of that task fails with the `TaskStoreError` (the store still
     * holds it as running: a durable store runs it again after the next start); a task stopped
     * by a shutdown stays running in the store, likewise; a new attempt's start is not recorded;
     * and a worker whose `take` fails starts the schedule again — it never stops while its
     * manager runs, and the tasks stay queued meanwhile. A worker finishing or releasing a task
     * waits through the schedule before a shutdown can stop it. (The local stores: the BullMQ
     * store's workers are BullMQ's.)
     */
    readonly storeRetry?: Schedule.Schedule<unknown, TaskStoreError> | undefined
    /**
     * How many outcomes a `results` / `subscribe` stream may fall behind before it fails
     * `ResultsOverflow` (publishing never waits for a slow reader; each outcome held costs about
     * half a kilobyte). Default: `TaskManager.defaults.resultsBuffer`, 100,000.
     */
    readonly resultsBuffer?: number | undefined
    /**
     * The manager's name in a Timeline (`@fiberkit/observe`), which records each attempt of each
     * task on the lane of the worker that ran it (`worker 0` … `worker <concurrency - 1>`). Default:
     * its number, in order of creation. (The local stores only: the BullMQ store records nothing.)
     */
    readonly name?: string | undefined
    /**
     * Recurring tasks (`TaskSchedule.cron`, `TaskSchedule.every`), added by this manager at each
     * tick — once across every manager on the store — until it shuts down. Default: none. An id
     * twice, a task that is not in `tasks`, arguments its Schema rejects or a cron that does not
     * parse fail `InvalidOptions`.
     */
    readonly schedules?: ReadonlyArray<TaskSchedule<T>> | undefined
  }
}

/**
 * The defaults of `TaskManager.make`'s options, in one place.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schedule, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
 * // the default store retry, and at most one minute of it
 * const storeRetry = TaskManager.defaults.storeRetry.pipe(Schedule.upTo({ duration: "1 minute" }))
 * const manager = TaskManager.make({ tasks: [job], concurrency: TaskManager.defaults.concurrency, storeRetry })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const defaults: {
  /** 4 tasks at once. */
  readonly concurrency: number
  /** Exponential from 100 ms (doubling), each delay at most 5 seconds, 10 retries. */
  readonly storeRetry: Schedule.Schedule<unknown, TaskStoreError>
  /** 100,000 outcomes a results stream may fall behind. */
  readonly resultsBuffer: number
} = internal.defaults

/**
 * Starts a manager in the current scope: its workers run until the scope closes. Unfinished
 * tasks in a durable store (from an earlier run) are queued again first. Fails
 * `InvalidOptions` for a `concurrency` that is not an integer ≥ 1 (≥ 0 on the BullMQ store), a
 * `timeout` that is not a duration ≥ 0 (the manager's or a definition's), or a `resultsBuffer`
 * below 1.
 *
 * The store is `options.store` or else the `TaskStore` service, which is then in `R`: a
 * program that forgets its store does not compile (on Effect 3 it quietly kept tasks in memory).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schedule, Schema, Stream } from "effect"
 * import { TaskManager, TaskStore } from "@fiberkit/tasks"
 *
 * const sendEmail = TaskManager.define("send-email", {
 *   args: Schema.Struct({ to: Schema.String }),
 *   run: ({ to }) => Effect.log(`Email sent to ${to}`)
 * })
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const manager = yield* TaskManager.make({ tasks: [sendEmail], concurrency: 3, retry: Schedule.recurs(2) })
 *   yield* manager.add(sendEmail, { to: "user@example.com" })
 *   yield* manager.shutdown({ drain: true })
 * })).pipe(Effect.provide(TaskStore.layerMemory)) // tasks in memory, on purpose
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <T extends TaskDefinition.Any>(
    options: TaskManager.Options<T> & { readonly store: TaskStore.TaskStore }
  ): Effect.Effect<TaskManager<T>, InvalidOptions | TaskStoreError, Scope.Scope | TaskDefinition.Context<T>>
  <T extends TaskDefinition.Any>(
    options: TaskManager.Options<T>
  ): Effect.Effect<
    TaskManager<T>,
    InvalidOptions | TaskStoreError,
    Scope.Scope | TaskStore.TaskStore | TaskDefinition.Context<T>
  >
} = internal.make
