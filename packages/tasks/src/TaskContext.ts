/**
 * What a running task knows about itself — its id, its name, which attempt this is — and how it
 * reports its progress, which `status` and `results` show (on BullMQ, across processes). No
 * requirement in `R`: outside a task, `current` is `None` and `progress` does nothing.
 *
 * @since 0.4.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { InvalidOptions } from "./Errors.js"
import * as internal from "./internal/taskContext.js"

/**
 * The task an attempt runs for.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Option } from "effect"
 * import { TaskContext } from "@fiberkit/tasks"
 *
 * const describe = (task: TaskContext.TaskContext) => `${task.name} ${task.id}, attempt ${task.attempt}`
 * const logWhere = Effect.flatMap(TaskContext.current, Option.match({
 *   onNone: () => Effect.log("not in a task"),
 *   onSome: (task) => Effect.log(describe(task))
 * }))
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface TaskContext {
  readonly id: string
  readonly name: string
  /** This attempt's number, from 1 (attempts started before a restart count). */
  readonly attempt: number
  /** Reports progress: see `progress`. */
  readonly progress: (value: number) => Effect.Effect<void, InvalidOptions>
}

/**
 * The task the current fiber runs an attempt of (a fiber the task forks sees it too); `None`
 * outside a task.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Option, Schema } from "effect"
 * import { TaskContext, TaskManager } from "@fiberkit/tasks"
 *
 * const job = TaskManager.define("job", {
 *   args: Schema.Number,
 *   run: (n) => Effect.flatMap(TaskContext.current, (task) => Effect.log(`attempt ${Option.getOrThrow(task).attempt} of ${n}`))
 * })
 * ```
 *
 * @since 0.4.0
 * @category accessors
 */
export const current: Effect.Effect<Option.Option<TaskContext>> = Effect.map(
  Effect.service(internal.currentTask),
  Option.fromUndefinedOr
)

/**
 * Reports the running task's progress: a finite number of the task's own unit (a percentage, the
 * rows done), seen as `progress` in `status(id)` and on the task's result. Reports made while one
 * is being written are coalesced — the last one wins — so a loop may report at every step. Outside
 * a task it does nothing; a number that is not finite fails `InvalidOptions`. A store that cannot
 * write it loses that report only: progress never fails the task.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskContext, TaskManager } from "@fiberkit/tasks"
 *
 * const importRows = TaskManager.define("import-rows", {
 *   args: Schema.Struct({ rows: Schema.Number }),
 *   run: ({ rows }) =>
 *     Effect.forEach(Array.from({ length: rows }, (_, i) => i), (i) =>
 *       TaskContext.progress(Math.round(((i + 1) / rows) * 100)), { discard: true })
 * })
 * ```
 *
 * @since 0.4.0
 * @category progress
 */
export const progress: (value: number) => Effect.Effect<void, InvalidOptions> = internal.progress
