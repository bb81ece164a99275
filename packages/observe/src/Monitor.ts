/**
 * Monitored tasks: `monitored(name)` wraps an effect in a span, times it, counts how it ended and
 * logs when it starts and ends, with the name of the fiber it ran on — the guide's
 * `monitored_task`, which printed `[thread] task completed in 1.02s`, for Effect.
 *
 * - Span: an Effect span named after the task (`Effect.withSpan`), with the attributes
 *   `fiberkit.task` (the name) and `fiberkit.fiber`. Provide `@effect/opentelemetry`'s
 *   `NodeSdk.layer` to export it; without a tracer it costs what any Effect span costs.
 * - Metrics: `fiberkit_task_duration`, a timer (a histogram in milliseconds), and
 *   `fiberkit_task_total`, a counter tagged `outcome` (`success`, `failure`, `interrupted`). The
 *   name is never a metric tag: a run is counted in the untagged series (`Monitor.duration`,
 *   `Monitor.outcomes` tagged `outcome`), or, with the option `metricTag`, in the series tagged
 *   `task` = `metricTag` (`Monitor.durationOf(metricTag)`, `Monitor.outcomesOf(metricTag, outcome)`).
 * - Logs: `[worker-3] Starting download`, then `[worker-3] download completed in 1.02s`,
 *   `… failed after 1.02s: <first error>` (at level Error, with the cause) or
 *   `… interrupted after 1.02s`, annotated with `task` and `fiber` (and `outcome` on the end line).
 * - Timeline: where a Timeline is recording, one record per run (source `"monitored"`, group and
 *   label the task name, lane the fiber name).
 *
 * **Names and metric tags.** Effect keeps every metric key it is asked for in a global registry,
 * for the life of the process, and a key is a metric's name with its tags: each distinct tag value
 * adds keys (here 4: the timer and the 3 outcome counters) that are never freed. So the name, which
 * may vary per call (`GET /items/42`, a job id), goes only where any value is cheap — the span (its
 * name and `fiberkit.task`), the log lines and their `task` annotation, the Timeline record — and
 * the metrics take a tag only from `metricTag`, which must come from a small fixed set (`"download"`,
 * `"parse"`): never build it from a URL, an id or user input. Put such details in the name or in
 * `attributes`.
 *
 * Effect fibers have no names: a fiber's name is the one set with `withFiberName` for the region
 * it runs in, or else its id (`#12`). Times come from the Effect `Clock`, so `TestClock` controls
 * them.
 *
 * @since 0.1.0
 */
import type * as Recorder from "@fiberkit/sync/Recorder"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Metric from "effect/Metric"
import * as internal from "./internal/monitor.js"

/**
 * How a monitored run ended: `"success"`, `"failure"` or `"interrupted"` (interruption and
 * nothing else).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * const outcomes: ReadonlyArray<Monitor.Outcome> = ["success", "failure", "interrupted"]
 * // how the runs tagged "download" have ended so far
 * const tally = Effect.forEach(outcomes, (outcome) =>
 *   Effect.map(Metric.value(Monitor.outcomesOf("download", outcome)), (c) => `${outcome}: ${c.count}`))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = Recorder.Outcome

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * // the URL in a span attribute, the metrics under a tag from a fixed few
 * const options = (url: string): Monitor.MonitorOptions => ({ metricTag: "download", attributes: { url } })
 * const download = (url: string) => Effect.sleep("1 second").pipe(Monitor.monitored(`download ${url}`, options(url)))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MonitorOptions {
  /**
   * More attributes for the span, beside `fiberkit.task` and `fiberkit.fiber` (a key given here
   * replaces those). Default: none.
   */
  readonly attributes?: Record<string, unknown> | undefined
  /**
   * The value of the `task` tag on this run's metrics, to count and time a kind of task apart from
   * the others: read them with `durationOf(metricTag)` and `outcomesOf(metricTag, outcome)`. It must
   * come from a small fixed set (`"download"`, `"parse"`): each distinct value adds 4 keys to
   * Effect's global metric registry for good. Never a URL, an id or user input — those belong in
   * the name or `attributes`. Default: none, the run is counted in the untagged `duration` and
   * `outcomes` series.
   */
  readonly metricTag?: string | undefined
}

/**
 * Runs an effect as a monitored task: a span named `name`, its duration in
 * `fiberkit_task_duration`, its outcome counted in `fiberkit_task_total`, a log line when it starts
 * and one when it ends, and a Timeline record where a Timeline is recording. The effect's result,
 * failure and interruption pass through unchanged.
 *
 * The name may differ on every call (`download site3.com`): it goes to the span, the log lines and
 * the Timeline, never to a metric tag. The metrics are tagged `task` only with `metricTag`, a value
 * from a small fixed set (see `MonitorOptions`); without it they go to the untagged series.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * // the URL in the name and a span attribute; the metrics tagged task="download" for every URL
 * const download = (url: string) =>
 *   Effect.sleep("1 second").pipe(Monitor.monitored(`download ${url}`, { metricTag: "download", attributes: { url } }))
 *
 * // [worker-1] Starting download site1.com … [worker-1] download site1.com completed in 1.00s
 * const program = Effect.forEach(
 *   [1, 2, 3],
 *   (n) => Monitor.withFiberName(download(`site${n}.com`), `worker-${n}`),
 *   { concurrency: 3 }
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const monitored: {
  (name: string, options?: MonitorOptions): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, name: string, options?: MonitorOptions): Effect.Effect<A, E, R>
} = internal.monitored

/**
 * Names the fiber for the region: monitored tasks in `self` log, trace and record it as their
 * fiber. Fibers forked inside the region take the name with them (Effect's `timeout`, `race` and
 * concurrent `all` run their effects on forked fibers); an inner `withFiberName` overrides it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * const worker = (id: number) =>
 *   Effect.sleep("1 second").pipe(Monitor.monitored("job"), Monitor.withFiberName(`worker-${id}`))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withFiberName: {
  (name: string): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, name: string): Effect.Effect<A, E, R>
} = internal.withFiberName

/**
 * The current fiber's name: the one set with `withFiberName`, or else its id (`#12`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * const program = Monitor.fiberName.pipe(
 *   Effect.flatMap((name) => Effect.log(`running on ${name}`)),
 *   Monitor.withFiberName("worker-1")
 * )
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const fiberName: Effect.Effect<string> = internal.fiberName

/**
 * `fiberkit_task_duration`: how long each monitored run took, in milliseconds (a histogram tagged
 * `time_unit`). As it is, it holds the runs monitored without a `metricTag`; the runs with one are
 * also tagged `task` (see `durationOf`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * // the runs monitored without a metricTag
 * const untaggedRuns = Effect.map(Metric.value(Monitor.duration), (h) => h.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const duration: Metric.Histogram<Duration.Duration> = internal.duration

/**
 * `fiberkit_task_total`: monitored runs, counted by their `outcome` tag, and by their `task` tag
 * for the runs with a `metricTag` (see `outcomesOf`).
 *
 * **Example**
 *
 * ```ts
 * import { Metric } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * // the failed runs monitored without a metricTag
 * const untaggedFailures = Monitor.outcomes.pipe(Metric.withAttributes({ outcome: "failure" }))
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const outcomes: Metric.Counter<number> = internal.outcomes

/**
 * The duration timer of the runs monitored with `metricTag: task`: its histogram counts them and
 * sums their milliseconds.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * const fetch = (url: string) => Effect.sleep("1 second").pipe(Monitor.monitored(url, { metricTag: "download" }))
 * const mean = Effect.map(Metric.value(Monitor.durationOf("download")), (h) => h.sum / h.count)
 * const program = Effect.andThen(Effect.forEach(["a.com", "b.com"], fetch), mean)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const durationOf: (task: string) => Metric.Histogram<Duration.Duration> = internal.durationOf

/**
 * The counter of the runs monitored with `metricTag: task` that ended with `outcome`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Monitor } from "@fiberkit/observe"
 *
 * const failures = Effect.map(Metric.value(Monitor.outcomesOf("download", "failure")), (c) => c.count)
 * ```
 *
 * @since 0.1.0
 * @category metrics
 */
export const outcomesOf: (task: string, outcome: Outcome) => Metric.Counter<number> = internal.outcomesOf
