import * as Recorder from "@fiberkit/sync/Recorder"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import * as Metric from "effect/Metric"
import type * as Api from "../Monitor.js"

/** @internal */
export const currentFiberName: Context.Reference<string | undefined> = Context.Reference<string | undefined>(
  "@fiberkit/observe/Monitor/currentFiberName",
  { defaultValue: () => undefined }
)

const nameOf = (fiber: Fiber.Fiber<unknown, unknown>): string => fiber.getRef(currentFiberName) ?? `#${fiber.id}`

/** @internal */
export const fiberName: Effect.Effect<string> = Effect.withFiber((fiber) => Effect.succeed(nameOf(fiber)))

/** @internal */
export const withFiberName: {
  (name: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, name: string): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(self: Effect.Effect<A, E, R>, name: string): Effect.Effect<A, E, R> =>
    Effect.provideService(self, currentFiberName, name)
)

/** @internal */
export const duration: Metric.Histogram<Duration.Duration> = Metric.timer("fiberkit_task_duration", {
  description: "How long each monitored task ran, by metric tag"
})

/** @internal */
export const outcomes: Metric.Counter<number> = Metric.counter("fiberkit_task_total", {
  description: "Monitored task runs, by metric tag and outcome",
  incremental: true
})

/** @internal */
export const durationOf = (task: string): Metric.Histogram<Duration.Duration> =>
  Metric.withAttributes(duration, { task })

/** @internal */
export const outcomesOf = (task: string, outcome: Recorder.Outcome): Metric.Counter<number> =>
  // one attribute set, so the series key is the same however the attributes were added
  Metric.withAttributes(outcomes, { task, outcome })

const seconds = (nanos: bigint): string => `${(Number(nanos) / 1e9).toFixed(2)}s`

const summarize = (cause: Cause.Cause<unknown>): string => {
  const errors = Cause.prettyErrors(cause)
  if (errors.length === 0) {
    return "no error"
  }
  const first = `${errors[0].name}: ${errors[0].message}`
  return errors.length === 1 ? first : `${first} (and ${errors.length - 1} more)`
}

const logEnd = (
  exit: Exit.Exit<unknown, unknown>,
  outcome: Recorder.Outcome,
  prefix: string,
  elapsed: bigint
): Effect.Effect<void> => {
  switch (outcome) {
    case "success":
      return Effect.logInfo(`${prefix} completed in ${seconds(elapsed)}`)
    case "interrupted":
      return Effect.logInfo(`${prefix} interrupted after ${seconds(elapsed)}`)
    case "failure": {
      const cause = exit._tag === "Failure" ? exit.cause : Cause.empty
      return Effect.logError(`${prefix} failed after ${seconds(elapsed)}: ${summarize(cause)}`, cause)
    }
  }
}

interface TaskMetrics {
  readonly timer: ReturnType<typeof durationOf>
  readonly counters: Record<Recorder.Outcome, Metric.Counter<number>>
}

/** The metrics of the runs without a `metricTag`: 4 registry keys, whatever their names. */
const untagged: TaskMetrics = {
  timer: duration,
  counters: {
    success: Metric.withAttributes(outcomes, { outcome: "success" }),
    failure: Metric.withAttributes(outcomes, { outcome: "failure" }),
    interrupted: Metric.withAttributes(outcomes, { outcome: "interrupted" })
  }
}

/** Tagged metrics by `metricTag`: a metric keeps its series key cached, so one per tag is reused. */
const metricsByTag = new Map<string, TaskMetrics>()
const MOST_TAGS = 1024

/**
 * The metrics a run updates: the untagged ones, or those tagged `task` = `metricTag`, made once per
 * tag (the first 1,024 tags; later ones per call). The run's name is never a metric tag: names may be
 * URLs or ids, and every tag value stays in Effect's global metric registry for good.
 */
const metricsOf = (metricTag: string | undefined): TaskMetrics => {
  if (metricTag === undefined) return untagged
  const known = metricsByTag.get(metricTag)
  if (known !== undefined) return known
  const made: TaskMetrics = {
    timer: durationOf(metricTag),
    counters: {
      success: outcomesOf(metricTag, "success"),
      failure: outcomesOf(metricTag, "failure"),
      interrupted: outcomesOf(metricTag, "interrupted")
    }
  }
  if (metricsByTag.size < MOST_TAGS) metricsByTag.set(metricTag, made)
  return made
}

/** @internal */
export const monitored: {
  (name: string, options?: Api.MonitorOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, name: string, options?: Api.MonitorOptions): Effect.Effect<A, E, R>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(self: Effect.Effect<A, E, R>, name: string, options?: Api.MonitorOptions): Effect.Effect<A, E, R> => {
    const { counters, timer } = metricsOf(options?.metricTag)
    return Effect.withFiber<A, E, R>((fiber) => {
      const lane = nameOf(fiber)
      const recorder = fiber.getRef(Recorder.currentRecorder)
      const annotations = { task: name, fiber: lane }
      const prefix = `[${lane}] ${name}`
      const run = Effect.clockWith((clock) =>
        Effect.uninterruptibleMask((restore) => {
          const start = clock.currentTimeNanosUnsafe()
          const startedAt = recorder === undefined ? 0 : recorder.now()
          // once "Starting" is logged, the end is always measured, counted and logged: an interruption
          // that arrives before `self` starts is seen by `restore(self)` and ends in `onExit`
          return Effect.andThen(
            Effect.annotateLogs(Effect.logInfo(`[${lane}] Starting ${name}`), annotations),
            Effect.onExit(restore(self), (exit) => {
              const elapsed = clock.currentTimeNanosUnsafe() - start
              const outcome = Recorder.outcomeOf(exit)
              if (recorder !== undefined) {
                recorder.record({
                  source: "monitored",
                  group: name,
                  lane,
                  label: name,
                  queuedAt: startedAt,
                  startedAt,
                  endedAt: recorder.now(),
                  outcome
                })
              }
              return Metric.update(timer, Duration.nanos(elapsed)).pipe(
                Effect.andThen(Metric.update(counters[outcome], 1)),
                Effect.andThen(
                  Effect.annotateLogs(logEnd(exit, outcome, prefix, elapsed), { ...annotations, outcome })
                )
              )
            })
          )
        })
      )
      return Effect.withSpan(run, name, {
        attributes: { "fiberkit.task": name, "fiberkit.fiber": lane, ...options?.attributes },
        // the call site would be inside this module: no use to anyone reading the trace
        captureStackTrace: false
      })
    })
  }
)
