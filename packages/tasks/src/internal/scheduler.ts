import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Schedule from "effect/Schedule"
import type { InvalidOptions, TaskStoreError } from "../Errors.js"
import type { TaskDefinition } from "../TaskDefinition.js"
import type * as Api from "../TaskSchedule.js"
import type * as TaskStore from "../TaskStore.js"
import { checkSchedules, tickId, type Ticking } from "./taskSchedule.js"

/**
 * Runs a manager's schedules, one fiber each; returns what stops them (a shutdown). Each sleeps until the next tick,
 * add its task (id `schedule:<id>:<time>`: a tick added by another manager first is not added
 * again), then record it as the schedule's last tick in the store. On start a schedule resumes
 * from the last tick the store holds: of the ticks missed since, the latest is added at once (the
 * others are not), then the schedule goes on; a schedule the store has never seen starts with its
 * first tick after now. A store that keeps failing loses that tick (logged), not the schedule; a
 * manager that has shut down ends its schedules.
 *
 * @internal
 */
export const runSchedules = (
  tickings: ReadonlyArray<Ticking>,
  options: {
    readonly add: (schedule: Api.TaskSchedule, id: string) => Effect.Effect<unknown, { readonly _tag: string }>
    readonly ticks: TaskStore.ScheduleTicks
    readonly storeRetry: Schedule.Schedule<unknown, TaskStoreError>
  }
): Effect.Effect<Effect.Effect<void>> =>
  Effect.map(
    Effect.forEach(tickings, (ticking) => Effect.forkDetach(scheduleLoop(ticking, options))),
    (fibers) => Effect.suspend(() => Fiber.interruptAll(fibers))
  )

const scheduleLoop = (
  ticking: Ticking,
  options: Parameters<typeof runSchedules>[1]
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const schedule = ticking.schedule
    const retried = <A>(effect: Effect.Effect<A, TaskStoreError>) => Effect.retry(effect, options.storeRetry)
    /** Adds the tick at `at` and records it; `false` once the manager has shut down. */
    const fire = (at: number): Effect.Effect<boolean> =>
      options.add(schedule, tickId(schedule.id, at)).pipe(
        Effect.andThen(retried(options.ticks.advance(schedule.id, at))),
        Effect.as(true),
        Effect.catch((error) =>
          error._tag === "TaskManagerShutDown" ? Effect.succeed(false) : Effect.as(
            Effect.logError(`schedule ${schedule.id}: the tick at ${new Date(at).toISOString()} was not added`, error)
              .pipe(Effect.annotateLogs({ schedule: schedule.id, tick: at })),
            true
          )
        )
      )
    const lastTick = Effect.orElseSucceed(retried(options.ticks.last(schedule.id)), () => undefined)
    /**
     * Fires, of the ticks due after `from` up to now, the latest only (none: nothing); returns
     * the cursor the schedule goes on from — `undefined` once the manager has shut down.
     * Past `MISSED_STEPS` ticks due, none is fired and the schedule goes on from now.
     */
    const catchUp = (from: number): Effect.Effect<number | undefined> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(ticking.missed(from, now), ({ exhausted, latest }) => {
          if (exhausted) {
            return Effect.succeed(now)
          }
          if (latest === undefined) {
            return Effect.succeed(from)
          }
          return Effect.map(fire(latest), (open) =>
            open ? latest : undefined)
        }))
    const last = yield* lastTick
    let cursor: number | undefined = last === undefined ? yield* Clock.currentTimeMillis : yield* catchUp(last)
    while (cursor !== undefined) {
      const at = yield* ticking.next(cursor)
      if (at === undefined) {
        return
      }
      const now = yield* Clock.currentTimeMillis
      if (at > now) {
        yield* Effect.sleep(at - now)
      }
      // another manager on the store may have ticked meanwhile, on a chain of its own (it started
      // at another time): this one follows the store's last tick, so that both add the same ticks
      const stored = yield* lastTick
      cursor = yield* catchUp(stored !== undefined && stored > cursor ? stored : cursor)
    }
  })

/**
 * Checks a manager's schedules, then runs them on `manager.add`; returns what stops them. Shared
 * by the local and the BullMQ manager.
 *
 * @internal
 */
export const startSchedules = (
  schedules: ReadonlyArray<Api.TaskSchedule> | undefined,
  definitions: ReadonlyMap<string, TaskDefinition.Any>,
  manager: {
    readonly add: (
      task: string,
      args: unknown,
      options: { readonly id: string; readonly priority?: number | undefined }
    ) => Effect.Effect<string, { readonly _tag: string }>
    readonly ticks: TaskStore.ScheduleTicks
    readonly storeRetry: Schedule.Schedule<unknown, TaskStoreError>
  }
): Effect.Effect<Effect.Effect<void>, InvalidOptions> =>
  schedules === undefined || schedules.length === 0
    ? Effect.succeed(Effect.void)
    : Effect.flatMap(checkSchedules(schedules, definitions), (tickings) =>
      runSchedules(tickings, {
        add: (schedule, id) => manager.add(schedule.task.name, schedule.args, { id, priority: schedule.priority }),
        ticks: manager.ticks,
        storeRetry: manager.storeRetry
      }))
