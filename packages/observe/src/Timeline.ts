/**
 * A record of the tasks that ran: for every monitored task and every task of a FiberPool,
 * WorkerPool, TaskManager or limiter made where the Timeline is in force, when it was queued,
 * started and ended, how it ended, and the worker or lane it ran on. Memory is bounded: the
 * Timeline keeps the last `capacity` records and counts the ones it dropped.
 *
 * Draw the records with `Chart.svg` or `Chart.terminal`.
 *
 * @since 0.1.0
 */
import type * as Recorder from "@fiberkit/sync/Recorder"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Layer from "effect/Layer"
import type { InvalidOptions } from "./Errors.js"
import * as internal from "./internal/timeline.js"

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Timeline } from "@fiberkit/observe"
 *
 * // the five tasks that waited longest for a worker
 * const longestWaits = (records: ReadonlyArray<Timeline.TaskRecord>) =>
 *   [...records].sort((a, b) => (b.startedAt - b.queuedAt) - (a.startedAt - a.queuedAt)).slice(0, 5)
 * const program = Effect.map(Effect.flatMap(Timeline.Timeline, (timeline) => timeline.records), longestWaits)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskRecord = Recorder.TaskRecord

/**
 * **Example**
 *
 * ```ts
 * import { Timeline } from "@fiberkit/observe"
 *
 * // keep only the last 500 tasks of a long run
 * const options: Timeline.TimelineOptions = { capacity: 500 }
 * const layer = Timeline.layer(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TimelineOptions {
  /** How many records to keep, an integer ≥ 1; the oldest are dropped first. Default 10,000. */
  readonly capacity?: number | undefined
}

/**
 * Where a `recorded` effect goes in a chart: rows are grouped by `source` and `group`, one row
 * per `lane`; without a lane, a chart packs the runs into as few rows as they need.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Timeline } from "@fiberkit/observe"
 *
 * // each consumer in a row of its own, in the group "consumers"
 * const where = (id: number): Timeline.RecordedOptions => ({ group: "consumers", lane: `consumer ${id}` })
 * const consume = (id: number, item: string) => Effect.log(item).pipe(Timeline.recorded(item, where(id)))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedOptions {
  /** Default `"task"`. */
  readonly source?: string | undefined
  /** Default `"tasks"`. */
  readonly group?: string | undefined
  readonly lane?: string | undefined
}

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Timeline } from "@fiberkit/observe"
 *
 * // how much of the timeline a run filled, then start afresh
 * const summary = (timeline: Timeline.TimelineService) =>
 *   Effect.gen(function*() {
 *     const records = yield* timeline.records
 *     const dropped = yield* timeline.dropped
 *     yield* timeline.clear
 *     return `${records.length} of ${timeline.capacity} kept, ${dropped} dropped`
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TimelineService {
  readonly capacity: number
  /** The recorder pools and limiters report to (installed by `layer`, or by `recording`). */
  readonly recorder: Recorder.Recorder
  /** The records kept, oldest first (in the order the tasks ended). */
  readonly records: Effect.Effect<ReadonlyArray<TaskRecord>>
  /** How many records were dropped to keep within `capacity`. */
  readonly dropped: Effect.Effect<number>
  readonly clear: Effect.Effect<void>
}

/**
 * The Timeline service: the tag to read it with, and the type a layer providing it outputs.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Timeline } from "@fiberkit/observe"
 *
 * // Effect<ReadonlyArray<TaskRecord>, never, Timeline>: provide `Timeline.layer()` to run it
 * const records = Effect.flatMap(Timeline.Timeline, (timeline) => timeline.records)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export class Timeline extends Context.Service<Timeline, TimelineService>()("@fiberkit/observe/Timeline") {}

/**
 * A Timeline, and its recorder in force for everything the layer is provided to (a recorder in
 * force already — a dashboard's, another Timeline's — gets every record too).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { FiberPool } from "@fiberkit/executor"
 * import { Chart, Timeline } from "@fiberkit/observe"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ concurrency: 4 })
 *   yield* pool.map([1, 2, 3, 4, 5, 6], (n) => Effect.sleep(`${n * 10} millis`))
 *   const records = yield* Effect.flatMap(Timeline.Timeline, (timeline) => timeline.records)
 *   console.log(Chart.terminal(records))
 * }).pipe(Effect.scoped, Effect.provide(Timeline.layer({ capacity: 1000 })))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: (options?: TimelineOptions) => Layer.Layer<Timeline, InvalidOptions> = internal.layer

/**
 * A Timeline on its own: install it with `recording`, where you want it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Timeline } from "@fiberkit/observe"
 *
 * const program = Effect.gen(function*() {
 *   const timeline = yield* Timeline.make({ capacity: 100 })
 *   yield* Timeline.recording(timeline)(Effect.void)
 *   return yield* timeline.records
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options?: TimelineOptions) => Effect.Effect<TimelineService, InvalidOptions> = internal.make

/**
 * Runs `effect` with the timeline's recorder in force (a recorder in force already gets every
 * record too).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Timeline } from "@fiberkit/observe"
 *
 * declare const timeline: Timeline.TimelineService
 * const recorded = Timeline.recording(timeline)(Effect.log("recorded"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const recording: {
  (timeline: TimelineService): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, timeline: TimelineService): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, timeline: TimelineService) => internal.recording(timeline)(effect)
)

/**
 * Records each run of `effect` in the Timeline in force, as a task called `label` — for
 * concurrent work that no pool or limiter runs (plain fibers, queue consumers). Without a
 * Timeline it only costs a context read. Unlike `Monitor.monitored` it logs nothing and makes
 * no span or metric.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Timeline } from "@fiberkit/observe"
 *
 * const consumer = (n: number) =>
 *   Effect.sleep("100 millis").pipe(Timeline.recorded(`item ${n}`, { group: "consumers", lane: "consumer 1" }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const recorded: {
  (label: string, options?: RecordedOptions): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, label: string, options?: RecordedOptions): Effect.Effect<A, E, R>
} = dual(
  (args) => Effect.isEffect(args[0]),
  <A, E, R>(effect: Effect.Effect<A, E, R>, label: string, options?: RecordedOptions) =>
    internal.recorded(label, options)(effect)
)
