import * as Cron from "effect/Cron"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Pull from "effect/Pull"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { InvalidOptions } from "../Errors.js"
import type { TaskDefinition } from "../TaskDefinition.js"
import type * as Api from "../TaskSchedule.js"
import { resolvePriority } from "./priority.js"
import { invalidId } from "./taskIds.js"

/** @internal */
export const cron = <D extends TaskDefinition.Any>(
  id: string,
  options: {
    readonly task: D
    readonly args: TaskDefinition.Args<D>
    readonly cron: string | Cron.Cron
    readonly timeZone?: string | undefined
    readonly priority?: number | undefined
  }
): Api.TaskSchedule<D> => ({
  id,
  task: options.task,
  args: options.args,
  priority: options.priority,
  when: { _tag: "Cron", expression: options.cron, timeZone: options.timeZone }
})

/** @internal */
export const every = <D extends TaskDefinition.Any>(
  id: string,
  options: {
    readonly task: D
    readonly args: TaskDefinition.Args<D>
    readonly schedule: Schedule.Schedule<unknown, unknown> | Duration.Input
    readonly priority?: number | undefined
  }
): Api.TaskSchedule<D> => ({
  id,
  task: options.task,
  args: options.args,
  priority: options.priority,
  when: {
    _tag: "Schedule",
    schedule: Schedule.isSchedule(options.schedule)
      ? options.schedule as Schedule.Schedule<unknown, unknown>
      : intervalOf(options.schedule as Duration.Input)
  }
})

/** A schedule whose interval is not a finite duration > 0: `make` refuses it. */
const invalidInterval = Symbol.for("@fiberkit/tasks/TaskSchedule/invalidInterval")

const intervalOf = (input: Duration.Input): Schedule.Schedule<unknown, unknown> => {
  const decoded = Duration.fromInput(input)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
    return Object.assign(Schedule.recurs(0), { [invalidInterval]: input }) as Schedule.Schedule<unknown, unknown>
  }
  return Schedule.spaced(decoded.value) as Schedule.Schedule<unknown, unknown>
}

/**
 * A schedule, checked: when its next tick comes after a given time (`undefined` once it is done).
 *
 * @internal
 */
export interface Ticking {
  readonly schedule: Api.TaskSchedule
  /** The next tick after `time`. */
  readonly next: (time: number) => Effect.Effect<number | undefined>
  /**
   * The latest tick after `last` and at or before `now` (`undefined`: none); `exhausted` when more
   * than `MISSED_STEPS` ticks fell in between (a `Schedule` is stepped one tick at a time).
   */
  readonly missed: (
    last: number,
    now: number
  ) => Effect.Effect<{ readonly latest: number | undefined; readonly exhausted: boolean }>
}

/** How many missed ticks of a `Schedule` are stepped through to find the latest one. */
const MISSED_STEPS = 1_000_000

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "TaskManager.make", field, expected, value })

/** The tick of schedule `id` at `at`: its task's id. @internal */
export const tickId = (id: string, at: number): string => `schedule:${id}:${at}`

/**
 * The schedules of a manager, checked: unique ids that make valid task ids, a definition of the
 * manager's, arguments its Schema encodes, a priority in range, a cron that parses.
 *
 * @internal
 */
export const checkSchedules = (
  schedules: ReadonlyArray<Api.TaskSchedule>,
  definitions: ReadonlyMap<string, TaskDefinition.Any>
): Effect.Effect<Array<Ticking>, InvalidOptions> =>
  Effect.forEach(schedules, (schedule, i) =>
    Effect.gen(function*() {
      const field = `schedules[${i}]`
      const reason = invalidId(schedule.id)
      if (reason !== undefined || [...schedule.id].length > 200) {
        return yield* invalid(`${field}.id`, "1 to 200 characters, no control character", schedule.id)
      }
      if (schedules.findIndex((other) => other.id === schedule.id) !== i) {
        return yield* invalid(`${field}.id`, "an id no other schedule has", schedule.id)
      }
      const definition = definitions.get(schedule.task.name)
      if (definition === undefined) {
        return yield* invalid(`${field}.task`, "one of the manager's tasks", schedule.task.name)
      }
      yield* Effect.mapError(
        Schema.encodeUnknownEffect(definition.args)(schedule.args),
        (error) => invalid(`${field}.args`, `arguments of ${definition.name}: ${error.message}`, schedule.args)
      )
      if (schedule.priority !== undefined && resolvePriority(schedule.priority) instanceof InvalidOptions) {
        return yield* invalid(`${field}.priority`, "an integer from -1,000,000 to 1,000,000", schedule.priority)
      }
      const when = schedule.when
      if (when._tag === "Cron") {
        const parsed = typeof when.expression === "string"
          ? Cron.parse(when.expression, when.timeZone ?? "UTC")
          : Result.succeed(when.expression)
        if (Result.isFailure(parsed)) {
          return yield* invalid(`${field}.cron`, `a cron expression: ${parsed.failure.message}`, when.expression)
        }
        return cronTicking(schedule, parsed.success)
      }
      if (invalidInterval in when.schedule) {
        return yield* invalid(
          `${field}.schedule`,
          "a Schedule, or a finite duration > 0",
          when.schedule[invalidInterval]
        )
      }
      return yield* scheduleTicking(schedule, when.schedule)
    }))

const cronTicking = (schedule: Api.TaskSchedule, expression: Cron.Cron): Ticking => ({
  schedule,
  next: (time) => Effect.sync(() => Cron.next(expression, time).getTime()),
  missed: (last, now) =>
    Effect.sync(() => {
      const latest = Cron.prev(expression, now + 1).getTime()
      return { latest: latest > last ? latest : undefined, exhausted: false }
    })
})

/**
 * A `Schedule`'s ticks, as a function of time alone: the tick after `time` is the first step of a
 * fresh stepper at `time` — the same in every manager, whenever it started, so that two managers
 * following one store's last tick add the same ticks.
 */
const scheduleTicking = (
  schedule: Api.TaskSchedule,
  effectSchedule: Schedule.Schedule<unknown, unknown>
): Effect.Effect<Ticking> => {
  const next = (time: number): Effect.Effect<number | undefined> =>
    Effect.flatMap(Schedule.toStep(effectSchedule), (step) =>
      step(time, undefined).pipe(
        Effect.map(([, delay]): number | undefined => time + Math.max(1, Math.ceil(Duration.toMillis(delay)))),
        Pull.catchDone(() => Effect.succeed(undefined))
      ))
  return Effect.succeed({
    schedule,
    next,
    missed: (last, now) =>
      Effect.gen(function*() {
        let latest: number | undefined = undefined
        let at: number | undefined = last
        for (let steps = 0; steps < MISSED_STEPS; steps++) {
          at = yield* next(at)
          if (at === undefined || at > now) return { latest, exhausted: false }
          latest = at
        }
        return { latest: undefined, exhausted: true }
      })
  })
}
