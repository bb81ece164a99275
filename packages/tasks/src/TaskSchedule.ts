/**
 * Recurring tasks: a task added on a cron expression or an Effect `Schedule`, declared in
 * `TaskManager.make({ schedules })`. Each tick is a task of its own whose id names the schedule
 * and the tick's time (`schedule:<id>:<epoch ms>`), so a tick that two managers (two processes on
 * one durable store) both fire is added once and runs once. The store keeps each schedule's last
 * tick: after a restart the schedule resumes from it, and the ticks missed while no manager ran
 * are run once — the latest of them, at the start — then the schedule goes on.
 *
 * @since 0.4.0
 */
import type * as Cron from "effect/Cron"
import type * as Duration from "effect/Duration"
import type * as Schedule from "effect/Schedule"
import * as internal from "./internal/taskSchedule.js"
import type { TaskDefinition } from "./TaskDefinition.js"

/**
 * A recurring task: what to add (`task`, `args`, `priority`) and when.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager, TaskSchedule } from "@fiberkit/tasks"
 *
 * const report = TaskManager.define("report", { args: Schema.String, run: (kind) => Effect.log(`${kind} report`) })
 * const describe = (schedule: TaskSchedule.TaskSchedule) =>
 *   `${schedule.id}: ${schedule.task.name} ${schedule.when._tag === "Cron" ? schedule.when.expression : "on a Schedule"}`
 * console.log(describe(TaskSchedule.cron("nightly", { task: report, args: "daily", cron: "0 3 * * *" })))
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface TaskSchedule<D extends TaskDefinition.Any = TaskDefinition.Any> {
  /** Names the schedule in the store and in its ticks' ids: 1 to 200 characters, no control character. */
  readonly id: string
  readonly task: D
  readonly args: TaskDefinition.Args<D>
  /** The priority of its ticks; default: the definition's. */
  readonly priority?: number | undefined
  readonly when:
    | {
      readonly _tag: "Cron"
      /** A cron expression (5 fields, or 6 with seconds first), or a parsed `Cron`. */
      readonly expression: string | Cron.Cron
      /** The time zone of a cron expression given as text; default: UTC. */
      readonly timeZone?: string | undefined
    }
    | { readonly _tag: "Schedule"; readonly schedule: Schedule.Schedule<unknown, unknown> }
}

/**
 * A task added at every time a cron expression matches (`effect/Cron`: 5 fields, or 6 with
 * seconds first; in `timeZone`, UTC by default). An expression that does not parse makes
 * `TaskManager.make` fail `InvalidOptions`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager, TaskSchedule, TaskStore } from "@fiberkit/tasks"
 *
 * const cleanup = TaskManager.define("cleanup", { args: Schema.Number, run: (days) => Effect.log(`drop rows older than ${days} days`) })
 * const program = Effect.scoped(Effect.gen(function*() {
 *   yield* TaskManager.make({
 *     tasks: [cleanup],
 *     schedules: [TaskSchedule.cron("nightly-cleanup", { task: cleanup, args: 30, cron: "0 3 * * *", timeZone: "Europe/Paris" })]
 *   })
 *   yield* Effect.never
 * })).pipe(Effect.provide(TaskStore.layerMemory))
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const cron: <D extends TaskDefinition.Any>(
  id: string,
  options: {
    readonly task: D
    readonly args: TaskDefinition.Args<D>
    readonly cron: string | Cron.Cron
    readonly timeZone?: string | undefined
    readonly priority?: number | undefined
  }
) => TaskSchedule<D> = internal.cron

/**
 * A task added on an Effect `Schedule` (or every `interval`): each tick comes the schedule's
 * first delay after the one before — the schedule is stepped afresh from each tick (with no
 * input), so that every manager on the store computes the same ticks from the last one it holds.
 * Meant for intervals (`Schedule.spaced`, `Schedule.fixed`, `Schedule.windowed`, `Schedule.cron`):
 * a schedule that counts or grows (`recurs`, `exponential`) gives its first delay every time; one
 * that is done at its first step adds no tick.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schedule, Schema } from "effect"
 * import { TaskManager, TaskSchedule } from "@fiberkit/tasks"
 *
 * const ping = TaskManager.define("ping", { args: Schema.String, run: (host) => Effect.log(`ping ${host}`) })
 * const everyMinute = TaskSchedule.every("ping-db", { task: ping, args: "db", schedule: "1 minute" })
 * const spaced = TaskSchedule.every("ping-cache", { task: ping, args: "cache", schedule: Schedule.spaced("30 seconds") })
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const every: <D extends TaskDefinition.Any>(
  id: string,
  options: {
    readonly task: D
    readonly args: TaskDefinition.Args<D>
    readonly schedule: Schedule.Schedule<unknown, unknown> | Duration.Input
    readonly priority?: number | undefined
  }
) => TaskSchedule<D> = internal.every
