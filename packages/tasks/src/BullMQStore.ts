/**
 * A `TaskStore` on BullMQ and Redis, for tasks spread over many processes on many machines.
 * The TaskManager API stays the same — `add`, `status`, `results`, `cancel`, `join`,
 * `shutdown` — and BullMQ does the distributed work: each process's `concurrency` fibers are a BullMQ
 * Worker's concurrency, a worker that dies has its task picked up by another (stalled-job
 * recovery), and the task id is the job id, so adding the same id twice runs it once.
 *
 * **Delivery is at least once.** A worker killed, or whose event loop is blocked past
 * `lockDuration`, loses its lock, and the task runs again elsewhere. A handler whose effect must
 * happen once makes it idempotent — keyed by the task id — or wraps it in `once`.
 *
 * **What crosses Redis.** Arguments are encoded by the task's `args` Schema; its value by its
 * `success` Schema and its typed error by its `failure` Schema (`TaskManager.define`), so
 * `results` in another process gets them back typed. Retries follow the manager's `retry`
 * Schedule, decided by the worker that ran the failed attempt: a typed failure the Schedule
 * continues on is retried after its delay (BullMQ's attempts and backoff); one it stops on, a
 * defect, or arguments that do not decode end the task (BullMQ's `UnrecoverableError`).
 *
 * This module is not re-exported by the package index: import `@fiberkit/tasks/BullMQStore`,
 * with `bullmq` and `ioredis` installed.
 *
 * @module BullMQStore
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { InvalidOptions, RedisUnreachable, TaskStoreError } from "./Errors.js"
import * as internal from "./internal/bullmq/layer.js"
import * as TaskManager from "./TaskManager.js"
import * as TaskStore from "./TaskStore.js"

/**
 * **Example**
 *
 * ```ts
 * import { Redacted } from "effect"
 * import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
 *
 * declare const redisUrl: string // with its password: kept out of logs as Redacted
 * // reports block a worker's event loop for seconds at a time: a longer hold, and time to finish on deploys
 * const options: BullMQStore.Options = {
 *   url: Redacted.make(redisUrl),
 *   queue: "reports",
 *   lockDuration: "2 minutes",
 *   closeTimeout: "30 seconds",
 *   retain: { count: 10_000, age: "1 day" }
 * }
 * const StoreLive = BullMQStore.layer(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * The Redis URL (`redis://` or `rediss://`), which may carry a password: pass it `Redacted`
   * (`Redacted.make(url)`, or `Config.Redacted`) to keep it out of logs. Default:
   * `FIBERKIT_REDIS_URL`, read as `Config.Redacted`. Errors show it with the password hidden.
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** The BullMQ queue: the processes that share it share the tasks. Default: `"fiberkit-tasks"`. */
  readonly queue?: string | undefined
  /** The prefix of every Redis key. Default: `"fiberkit"`. */
  readonly prefix?: string | undefined
  /**
   * How long a worker's hold on a running task lasts without renewal (it renews it every half of
   * this). The trade-off: when a worker dies, its task waits up to `lockDuration` +
   * `stalledInterval` before another worker runs it; but a worker whose event loop is blocked
   * longer than this (CPU work on the main thread) loses the task, which then runs twice.
   * Default: 30 seconds.
   */
  readonly lockDuration?: Duration.Input | undefined
  /**
   * How often the workers look for tasks whose hold expired. Shorter finds a dead worker's task
   * sooner and costs Redis a check per interval per process. Default: 30 seconds.
   */
  readonly stalledInterval?: Duration.Input | undefined
  /** How many times a task may lose its worker before it fails instead of running again. Default: 1. */
  readonly maxStalledCount?: number | undefined
  /**
   * When the manager's scope closes (or `shutdown({ drain: false })`), how long running tasks
   * may go on to their end before they are interrupted and handed back to the queue. Default: 0.
   */
  readonly closeTimeout?: Duration.Input | undefined
  /**
   * Finished tasks kept in Redis, for `status`, `list`, and to recognise an id added again: the
   * last `count` (default 100,000) of each final state, none older than `age` (default 7 days).
   * An id added again after its task was dropped runs again.
   */
  readonly retain?:
    | { readonly count?: number | undefined; readonly age?: Duration.Input | undefined }
    | undefined
  /** Connection tries before `RedisUnreachable`. Default: 5, `connectDelay` apart. */
  readonly connectAttempts?: number | undefined
  /** Default: 200 millis. */
  readonly connectDelay?: Duration.Input | undefined
}

/**
 * The store: a `TaskStore`, plus what only BullMQ has.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 * import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
 *
 * declare const chargeCard: (orderId: string) => Effect.Effect<void>
 * // delivery is at least once: `once` charges each order once, however often its task runs
 * const charge = TaskManager.define("charge", {
 *   args: Schema.String,
 *   run: (orderId) =>
 *     Effect.flatMap(BullMQStore.BullMQStore, (store) => store.once(`charge:${orderId}`, chargeCard(orderId)))
 * })
 *
 * const failedTasks = Effect.flatMap(BullMQStore.BullMQStore, (store) => store.list({ state: "failed", limit: 50 }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BullMQStore extends TaskStore.TaskStore {
  /** The queue's name. */
  readonly queue: string
  /**
   * An idempotency guard: runs `effect` unless a run under the same `key` (e.g. the task id)
   * already succeeded, then marks the key done (for `retain.age`); `None` when skipped. A run
   * holds a lease on the key while it runs (for `lockDuration`, like a worker's lock), so a
   * second run at the same time waits for the first, and runs only if it failed. A crash between
   * the effect's end and the mark still runs it again: an effect outside Redis that must happen
   * exactly once also needs an idempotent write (keyed by `key`) at its destination.
   */
  readonly once: <A, E, R>(
    key: string,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<Option.Option<A>, E | TaskStoreError, R>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const BullMQStore: Context.Service<BullMQStore, BullMQStore> = Context.Service<BullMQStore>(
  "@fiberkit/tasks/BullMQStore"
)

/**
 * Connects to Redis for the life of the scope. Fails `RedisUnreachable` when Redis does not
 * answer within `connectAttempts` tries, and `InvalidOptions` without a URL; once connected, it
 * reconnects by itself (a Redis restart) and holds commands meanwhile.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 * import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
 *
 * declare const tasks: ReadonlyArray<TaskManager.TaskDefinition<string, unknown, never, unknown, never>>
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const store = yield* BullMQStore.make({ url: "redis://127.0.0.1:6379" })
 *   const manager = yield* TaskManager.make({ tasks, store, concurrency: 8 })
 *   yield* manager.join
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: Options) => Effect.Effect<BullMQStore, RedisUnreachable | InvalidOptions, Scope.Scope> =
  internal.make

/**
 * The store as a layer, for both `TaskStore` (which `TaskManager.make` uses) and `BullMQStore`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 * import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
 *
 * const resize = TaskManager.define("resize", {
 *   args: Schema.Struct({ image: Schema.String }),
 *   success: Schema.Number,
 *   run: ({ image }) => Effect.succeed(image.length)
 * })
 *
 * // a worker process: runs 4 tasks at a time until it is stopped
 * const worker = Effect.scoped(Effect.andThen(TaskManager.make({ tasks: [resize], concurrency: 4 }), Effect.never))
 * const main = worker.pipe(Effect.provide(BullMQStore.layer({ queue: "images" })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options?: Options
): Layer.Layer<TaskStore.TaskStore | BullMQStore, RedisUnreachable | InvalidOptions> =>
  Layer.effectContext(
    Effect.map(
      internal.make(options),
      (store) => Context.make(TaskStore.TaskStore, store as TaskStore.TaskStore).pipe(Context.add(BullMQStore, store))
    )
  )

/**
 * A worker as a layer: a `TaskManager` on the `TaskStore` in the context (this store) that runs
 * `concurrency` tasks at a time for as long as the layer lives. When the layer is released (the
 * program ends, or SIGTERM under `NodeRuntime.runMain`), its running tasks go on for the store's
 * `closeTimeout`, then are interrupted and handed back to the queue, and the BullMQ Worker is
 * closed.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 * import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
 *
 * const resize = TaskManager.define("resize", { args: Schema.String, run: (image) => Effect.log(image) })
 *
 * const WorkerLive = BullMQStore.workers({ tasks: [resize], concurrency: 4 }).pipe(
 *   Layer.provide(BullMQStore.layer({ queue: "images", closeTimeout: "10 seconds" }))
 * )
 * // with @effect/platform-node: NodeRuntime.runMain(Layer.launch(WorkerLive))
 * Effect.runFork(Layer.launch(WorkerLive))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const workers = <T extends TaskManager.TaskDefinition.Any>(
  options: TaskManager.TaskManager.Options<T>
): Layer.Layer<never, InvalidOptions | TaskStoreError, TaskStore.TaskStore | TaskManager.TaskDefinition.Context<T>> =>
  Layer.effectDiscard(
    Effect.flatMap(TaskStore.TaskStore, (store) => TaskManager.make({ ...options, store }))
  )
