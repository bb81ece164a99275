/**
 * A live web page of the running program. `Dashboard.layer()` serves, on 127.0.0.1 by default,
 * one page that shows every pool, limiter, queue and task manager made under the layer with its
 * figures (running, waiting, limit, wait and run time percentiles, outcomes), a moving Timeline
 * of the tasks that ran in the last minute, and the tasks of the task managers given to
 * `watchTasks` — with `cancel`, `retry` and `retry all failed` when the layer is given `write`.
 *
 * The layer turns on `Telemetry` and installs a recorder (forwarding to a Timeline already in
 * force) for what is made under it; without the layer nothing is recorded and nothing costs.
 * Bound to anything but loopback it requires a token.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { DashboardUnavailable, InvalidOptions } from "./Errors.js"
import * as internal from "./internal/dashboard.js"
import type * as Snapshot from "./Snapshot.js"

/**
 * **Example**
 *
 * ```ts
 * import { Redacted } from "effect"
 * import { Dashboard } from "@fiberkit/dashboard"
 *
 * // on every interface, actions allowed, guarded by a token from the environment
 * const options: Dashboard.Options = {
 *   host: "0.0.0.0",
 *   port: 9380,
 *   write: true,
 *   token: Redacted.make(process.env.DASHBOARD_TOKEN ?? "")
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The port; `0` takes any free one (read it from `url`). Default `9380`. */
  readonly port?: number | undefined
  /** The address to listen on. Default `"127.0.0.1"`; anything but loopback requires `token`. */
  readonly host?: string | undefined
  /** Allow the actions `cancel`, `retry` and `retry all failed`. Default `false` (read only). */
  readonly write?: boolean | undefined
  /** A token every request must carry (`Authorization: Bearer …` or `?token=…`); non-empty. */
  readonly token?: Redacted.Redacted<string> | string | undefined
  /** How much of the past the Timeline keeps and shows. Default 60 seconds; at least 1 second. */
  readonly window?: Duration.Input | undefined
  /** How often an open page gets new figures. Default 500 ms; between 50 ms and 1 minute. */
  readonly every?: Duration.Input | undefined
  /** At most this many task records are kept for the Timeline. Default 20,000. */
  readonly capacity?: number | undefined
  /** The tasks listed per state and task manager. Default 50. */
  readonly tasksPerState?: number | undefined
  /** The page's title. Default `"fiberkit"`. */
  readonly title?: string | undefined
}

/**
 * A task as a task manager lists it: what the dashboard reads of `TaskStore.TaskRecord` (the
 * fields the page shows, `Snapshot.Task`).
 *
 * **Example**
 *
 * ```ts
 * import type { Dashboard } from "@fiberkit/dashboard"
 *
 * const waited = (task: Dashboard.TaskSourceRecord) =>
 *   task.startedAt === undefined ? undefined : task.startedAt - task.addedAt
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskSourceRecord = Snapshot.Task

/**
 * What the dashboard uses of a task manager: `@fiberkit/tasks`' `TaskManager` is one, on every
 * store (on BullMQ, `list` shows the whole queue, across processes).
 *
 * **Example**
 *
 * ```ts
 * import type { TaskManager } from "@fiberkit/tasks"
 * import type { Dashboard } from "@fiberkit/dashboard"
 *
 * const asSource = (manager: TaskManager.TaskManager<any>): Dashboard.TaskSource => manager
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskSource {
  /** The tasks in a state, the oldest first, at most `limit`. */
  readonly list: (
    filter: { readonly state: Snapshot.TaskState; readonly limit: number }
  ) => Effect.Effect<ReadonlyArray<TaskSourceRecord>, unknown>
  readonly status: (id: string) => Effect.Effect<TaskSourceRecord, unknown>
  /** `false` when the task had already ended. */
  readonly cancel: (id: string) => Effect.Effect<boolean, unknown>
  /** `false` when the task is not failed. */
  readonly retry: (id: string) => Effect.Effect<boolean, unknown>
  /** How many failed tasks went back to the queue. */
  readonly retryAll: () => Effect.Effect<number, unknown>
}

/**
 * The running dashboard.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Effect } from "effect"
 * import { Dashboard } from "@fiberkit/dashboard"
 *
 * const program = Effect.gen(function*() {
 *   const dashboard = yield* Dashboard.Dashboard
 *   yield* Console.log(`open ${dashboard.url}`)
 * }).pipe(Effect.provide(Dashboard.layer({ port: 0 })))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DashboardService {
  /** The page's address, e.g. `http://127.0.0.1:9380/` (without the token). */
  readonly url: string
  /** Whether the actions are allowed. */
  readonly write: boolean
  /**
   * Shows a task manager's tasks under `name` for as long as the scope lasts. A name already
   * watched fails `InvalidOptions`.
   */
  readonly watchTasks: (name: string, source: TaskSource) => Effect.Effect<void, InvalidOptions, Scope.Scope>
  /**
   * What the page would be sent now: the task records numbered `from` or later (default: every
   * one kept) — the `cursor` of a snapshot is the `from` of the next.
   */
  readonly snapshot: (from?: number) => Effect.Effect<Snapshot.Snapshot>
}

/**
 * The running dashboard's service, provided by `layer`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Dashboard } from "@fiberkit/dashboard"
 *
 * const figures = Effect.flatMap(Dashboard.Dashboard, (dashboard) => dashboard.snapshot())
 * ```
 *
 * @since 0.1.0
 * @category services
 */
export class Dashboard extends Context.Service<Dashboard, DashboardService>()("@fiberkit/dashboard/Dashboard") {}

/**
 * Serves the dashboard for as long as the layer lasts, and turns on what it shows for everything
 * made under it: `Telemetry` and a recorder for the Timeline. Fails `InvalidOptions` for an
 * option out of range or a non-loopback `host` without `token`, and `DashboardUnavailable` when
 * it cannot listen.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { FiberPool } from "@fiberkit/executor"
 * import { Dashboard } from "@fiberkit/dashboard"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ concurrency: 4, name: "images" }) // shown on the page
 *   yield* pool.map([1, 2, 3], (n) => Effect.sleep(`${n * 10} millis`))
 * }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: Options) => Layer.Layer<Dashboard, InvalidOptions | DashboardUnavailable> =
  internal.layer

/**
 * Shows a task manager's tasks on the page under `name` for as long as the scope lasts.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 * import { Dashboard } from "@fiberkit/dashboard"
 *
 * const Email = TaskManager.define("email", { args: Schema.String, run: (to) => Effect.log(`mail ${to}`) })
 * const program = Effect.gen(function*() {
 *   const manager = yield* TaskManager.make({ tasks: [Email] })
 *   yield* Dashboard.watchTasks("emails", manager)
 *   yield* manager.add("email", "ada@example.com")
 * }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, write: true })))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const watchTasks = (
  name: string,
  source: TaskSource
): Effect.Effect<void, InvalidOptions, Dashboard | Scope.Scope> =>
  Effect.flatMap(Dashboard, (dashboard) => dashboard.watchTasks(name, source))
