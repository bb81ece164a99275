/**
 * How a task is added (`TaskManager.add`, `addAll`): its id, its priority, when it may first run
 * (`delay`, `runAt`) and deduplication with a window (`dedupe`).
 *
 * @since 0.5.0
 */
import type * as Duration from "effect/Duration"

/**
 * **Example**
 *
 * ```ts
 * import type { AddOptions } from "@fiberkit/tasks"
 *
 * const urgentLater: AddOptions.AddOptions = { id: "report:2027-01", priority: 10, delay: "5 minutes" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface AddOptions {
  /**
   * The task's id (default: a random UUID). Adding a task whose id the store already holds
   * adds nothing and returns the id: a producer that retries an `add` does not run the task
   * twice. (The memory store forgets old finished tasks, and their ids with them.) One rule on
   * every store: 1 to 256 characters (code points), no control character and no lone
   * surrogate — `"42"` and `"order:42"` are valid everywhere; anything else fails
   * `InvalidTaskId` and adds nothing.
   */
  readonly id?: string | undefined
  /**
   * Its place in the queue: higher priorities are taken first, equal ones in order of adding
   * (strict: tasks of a priority wait while higher ones keep coming). An integer from
   * -1,000,000 to 1,000,000 on every store (BullMQ's range); default 0. Else `add` fails
   * `InvalidOptions` and adds nothing. Seen in `status(id)` as `priority`.
   */
  readonly priority?: number | undefined
  /**
   * Not taken before this much time has passed (a finite duration ≥ 0; default: at once). A
   * durable store keeps the time: a task delayed past a restart runs after it, once its time
   * has come; one whose time passed while no process ran is taken at the next start. A delayed
   * task is `queued` (with its `runAt`), counts for `join`, and can be cancelled. Not with
   * `runAt`; out of range: `InvalidOptions`.
   */
  readonly delay?: Duration.Input | undefined
  /** Not taken before this time (a `Date`, or epoch milliseconds; default: at once). As `delay`. */
  readonly runAt?: Date | number | undefined
  /**
   * Deduplication with a window (see `Dedupe`): adds of one `key` within `ttl` of each other
   * keep one task, and each returns that task's id. `add` only (not `addAll`).
   */
  readonly dedupe?: Dedupe | undefined
}

/**
 * A deduplication window, on every store (memory, SQLite, BullMQ) alike. A window belongs to
 * one task definition, one `mode` and one `key`: the same key under another definition or
 * mode is another window. Each add returns the id of the task that stands for it; every task
 * that is added still ends once, on `results`.
 *
 * - `"throttle"` (the default): the first add of a key adds its task and opens the window for
 *   `ttl` from that add; an add of the key within it adds nothing and returns the first task's
 *   id, whatever that task's state (queued, running, ended, cancelled). The first add at or
 *   after the window's end adds a task and opens a new window. It may be delayed (`delay`,
 *   `runAt`): the window counts from the add.
 * - `"debounce"`: the task waits `ttl` after the last add of a burst. The first add adds a task
 *   with `runAt` = add + `ttl`; an add of the key while that task still waits for its time
 *   adds nothing, moves its `runAt` to this add + `ttl` (as `status(id).runAt` shows) and
 *   returns its id; the task keeps the first add's arguments and priority. The window ends at
 *   the task's `runAt` (or when it is cancelled before): an add from then on — the task may not
 *   have started yet, with every worker busy — adds a new task. Not with `delay` or `runAt`
 *   (debounce sets the time).
 *
 * With an `id` the store already holds, an add adds nothing and returns that id, as without
 * `dedupe` (it opens no window); an `id` that is new is the task's id if the add adds a task —
 * else the window's task id is returned, not `id`. Adds of one key are decided one at a time, in
 * one process as across BullMQ's processes: two adds racing in one window add one task.
 * A SQLite file keeps its windows (a restart keeps them open); the memory store forgets them
 * with the process. BullMQ keeps each window as a Redis key that expires at its end (Redis's
 * clock; a task's `runAt` is the adding process's clock).
 *
 * `key` follows the task id rule (1 to 256 characters, no control character, no lone
 * surrogate) and `ttl` is a finite duration > 0 (rounded up to a millisecond); otherwise
 * `add` fails `InvalidOptions` (`field: "dedupe.key"`, `"dedupe.ttl"`, `"dedupe.mode"`,
 * `"delay"` or `"runAt"`) and adds nothing.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager, TaskStore } from "@fiberkit/tasks"
 *
 * const reindex = TaskManager.define("reindex", { args: Schema.String, run: (user) => Effect.log(`reindex ${user}`) })
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const manager = yield* TaskManager.make({ tasks: [reindex], concurrency: 2 })
 *   // a burst of edits: one reindex, 2 seconds after the last one
 *   const first = yield* manager.add(reindex, "alice", { dedupe: { key: "alice", ttl: "2 seconds", mode: "debounce" } })
 *   const again = yield* manager.add(reindex, "alice", { dedupe: { key: "alice", ttl: "2 seconds", mode: "debounce" } })
 *   // first === again; the task now runs 2 seconds after the second add
 *   // at most one welcome mail a minute per user
 *   yield* manager.add(reindex, "bob", { dedupe: { key: "bob", ttl: "1 minute" } })
 *   yield* manager.shutdown({ drain: true })
 * })).pipe(Effect.provide(TaskStore.layerMemory))
 * ```
 *
 * @since 0.5.0
 * @category models
 */
export interface Dedupe {
  /** The window's key (with the task definition and the mode). */
  readonly key: string
  /** How long the window lasts: from the first add (throttle), from the last (debounce). */
  readonly ttl: Duration.Input
  /** `"throttle"` (default) or `"debounce"`. */
  readonly mode?: "throttle" | "debounce" | undefined
}

/**
 * `add`'s options for each task of an `addAll` (each gets its own id; no `dedupe`, which would
 * make the whole list one task).
 *
 * **Example**
 *
 * ```ts
 * import type { AddOptions } from "@fiberkit/tasks"
 *
 * const eachInAnHour: AddOptions.AddAllOptions = { delay: "1 hour" }
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export type AddAllOptions = Omit<AddOptions, "id" | "dedupe">
