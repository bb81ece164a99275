/**
 * Effect `Metric`s for fiberkit's pools, limiters, queues and task managers, under one naming
 * scheme. Every primitive publishes the same five metrics, told apart by their attributes, and
 * its limit where it has one:
 *
 * | name | type | unit | what |
 * | --- | --- | --- | --- |
 * | `fiberkit_pending` | gauge | items | waiting: submitted, not started |
 * | `fiberkit_running` | gauge | items | inside: started, not ended |
 * | `fiberkit_wait_time` | histogram | ms | from submission to start |
 * | `fiberkit_run_time` | histogram | ms | from start to end |
 * | `fiberkit_outcomes_total` | counter | items | ended, by `outcome` |
 * | `fiberkit_limit` | gauge | see below | the instance's limit now: as made, or as last resized |
 *
 * Attributes: `source` (the kind: `"FiberPool"`, `"RateLimiter"` …), `group` (the instance: its
 * `name`, or its number, as `Recorder.groupName` gives it), `task` (a task's name, where there is
 * one), and `outcome` on the counter.
 *
 * What `fiberkit_limit` is, per source — set when the instance is made and at every change; an
 * instance without a limit has none: a `FiberPool`'s `concurrency` (tasks at once), a
 * `WorkerPool`'s (its workers); a `ConcurrencyLimiter`'s or `RedisConcurrencyLimiter`'s permits, a
 * `KeyedConcurrencyLimiter`'s `global` cap (none without one; `perKey` is not published); a
 * `RateLimiter`'s, `RedisRateLimiter`'s or `KeyedRateLimiter`'s `limit` per `interval` (per key for
 * the keyed one; the Redis ones' as Redis last said, whichever process resized them); a bounded
 * `JoinableQueue`'s `capacity`; a `TaskManager`'s `concurrency` (on its series without `task`; 0
 * for a BullMQ producer-only manager). The sync README lists them too.
 *
 * Two instances of one `source` and `group` share their series: their counts add up, and
 * `fiberkit_limit` holds the limit the last of them set.
 *
 * Off unless turned on (`layer`, or `enabled`): a primitive reads the setting once, when it is
 * made, and one made with it off pays a single check per item.
 *
 * @since 0.4.0
 */
import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Metric from "effect/Metric"
import * as internal from "./internal/telemetry.js"
import type * as Recorder from "./Recorder.js"

/**
 * How an item ended: `"succeeded"`, `"failed"` (its own error), `"interrupted"` (interrupted or
 * cancelled, running or waiting), `"rejected"` (refused when it arrived: a full line, a shut-down
 * pool) or `"dropped"` (taken out of the line after it was queued, never run: `"dropOldest"`).
 *
 * **Example**
 *
 * ```ts
 * import { Exit } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const outcome: Telemetry.Outcome = Telemetry.outcomeOf(Exit.succeed(1)) // "succeeded"
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export type Outcome = "succeeded" | "failed" | "interrupted" | "rejected" | "dropped"

/**
 * One instance's metrics, tagged once with its `source` and `group`: what a primitive calls as
 * its items come and go. Every method is synchronous, for the steps a primitive takes inside its
 * own bookkeeping; times are milliseconds on `now`, the clock in force when it was made. The
 * calls are orthogonal — each moves one metric — so that a primitive calls each where its own
 * state changes: `queued`/`dequeued` with its line, `started`/`stopped` with what is inside,
 * `ran` when a run's length is known, `ended` exactly once per item, `limited` when it is made
 * and whenever its limit changes.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * // a hand-made primitive of 4 slots: one item queued, started, ended
 * const program = Effect.gen(function*() {
 *   const instrument = yield* Telemetry.make("MyPool", "images")
 *   if (instrument === undefined) return // telemetry is off
 *   instrument.limited(4)
 *   const queuedAt = instrument.now()
 *   instrument.queued()
 *   instrument.dequeued()
 *   const startedAt = instrument.now()
 *   instrument.started(startedAt - queuedAt)
 *   instrument.stopped()
 *   instrument.ran(instrument.now() - startedAt)
 *   instrument.ended("succeeded")
 * }).pipe(Effect.provide(Telemetry.layer()))
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface Instrument {
  readonly source: string
  readonly group: string
  /** The task's name, for an instrument made by `forTask`. */
  readonly task: string | undefined
  /** Now, in milliseconds (fractional), on the clock in force when the instrument was made. */
  readonly now: () => number
  /** `count` (default 1) more items waiting (`fiberkit_pending` + `count`). */
  queued(count?: number): void
  /** `count` (default 1) items less waiting: they start, or leave the line (`fiberkit_pending` − `count`). */
  dequeued(count?: number): void
  /** An item starts after waiting `waitMillis` (`fiberkit_running` + 1, `fiberkit_wait_time`). */
  started(waitMillis: number): void
  /** A started item is no longer inside: it ended, or went back to wait (`fiberkit_running` − 1). */
  stopped(): void
  /** A started item ran `runMillis` (`fiberkit_run_time`). */
  ran(runMillis: number): void
  /** `count` (default 1) items ended, started or not: once per item (`fiberkit_outcomes_total`, attribute `outcome`). */
  ended(outcome: Outcome, count?: number): void
  /**
   * The instance's limit is now `limit` (`fiberkit_limit`): its size, permits, starts per interval
   * or capacity — call it when the instance is made and after each resize. The gauge's series is
   * registered on the first call: an instance without a limit (an unbounded queue) never calls it
   * and has none. `limit` must be a finite number ≥ 0 (else a defect: `IllegalArgumentError`).
   */
  limited(limit: number): void
  /** The same instrument with the attribute `task` (made once per name, then reused). */
  forTask(task: string): Instrument
}

/**
 * The metric names of the scheme (build no name by hand: use these).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const pendingSeries = Effect.map(Metric.snapshot, (all) => all.filter((m) => m.id === Telemetry.names.pending))
 * ```
 *
 * @since 0.4.0
 * @category constants
 */
export const names: {
  readonly pending: "fiberkit_pending"
  readonly running: "fiberkit_running"
  readonly waitTime: "fiberkit_wait_time"
  readonly runTime: "fiberkit_run_time"
  readonly outcomes: "fiberkit_outcomes_total"
  readonly limit: "fiberkit_limit"
} = internal.names

/**
 * The histograms' bucket boundaries, in milliseconds unless `boundaries` says otherwise:
 * 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1,000, 2,500, 5,000, 10,000, 30,000 and
 * 60,000 — from a fiber task's fraction of a millisecond to a slow job's minute, about ×2.5 a
 * step (18 buckets and the one above).
 *
 * **Example**
 *
 * ```ts
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const finer = Telemetry.layer({ boundaries: [0.01, 0.05, ...Telemetry.defaultBoundaries] })
 * ```
 *
 * @since 0.4.0
 * @category constants
 */
export const defaultBoundaries: ReadonlyArray<number> = internal.defaultBoundaries

/**
 * Whether primitives made here publish metrics: `false` by default (see the package README,
 * "Metrics", for the measured cost). Read once by a primitive when it is made.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const withMetrics = <A, E, R>(program: Effect.Effect<A, E, R>) =>
 *   Effect.provideService(program, Telemetry.enabled, true)
 * ```
 *
 * @since 0.4.0
 * @category references
 */
export const enabled: Context.Reference<boolean> = internal.enabled

/**
 * The histograms' bucket boundaries (milliseconds) for primitives made here: `defaultBoundaries`
 * unless provided. Read once by a primitive when it is made; two instances of one `source` and
 * `group` share their series, and so the boundaries of the first.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const coarse = <A, E, R>(program: Effect.Effect<A, E, R>) =>
 *   Effect.provideService(program, Telemetry.boundaries, [10, 100, 1_000, 10_000])
 * ```
 *
 * @since 0.4.0
 * @category references
 */
export const boundaries: Context.Reference<ReadonlyArray<number>> = internal.boundaries

/**
 * Turns metrics on (or, with `enabled: false`, off) for the primitives made under it, with
 * the histograms' `boundaries` if given.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Metric } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * // every pool, limiter and queue made inside `program` publishes its metrics
 * const program = Effect.gen(function*() {
 *   const instrument = yield* Telemetry.make("MyPool", "images")
 *   instrument?.queued()
 *   return yield* Metric.snapshot // fiberkit_pending {source: "MyPool", group: "images"} = 1, …
 * })
 * const withMetrics = program.pipe(Effect.provide(Telemetry.layer()))
 * const coarse = program.pipe(Effect.provide(Telemetry.layer({ boundaries: [10, 100, 1_000] })))
 * ```
 *
 * @since 0.4.0
 * @category layers
 */
export const layer = (
  options?: { readonly enabled?: boolean | undefined; readonly boundaries?: ReadonlyArray<number> | undefined }
): Layer.Layer<never> => {
  const on = Layer.succeed(internal.enabled, options?.enabled ?? true)
  return options?.boundaries === undefined
    ? on
    : Layer.merge(on, Layer.succeed(internal.boundaries, options.boundaries))
}

/**
 * The instrument of a primitive being made, named `source` and `group`, or `undefined` when
 * metrics are off. It captures the metric registry, the clock and the boundaries in force.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder, Telemetry } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const group = yield* Recorder.groupName("MyPool", undefined) // "1", "2" … as a Timeline names it
 *   return yield* Telemetry.make("MyPool", group)
 * })
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const make: (source: string, group: string) => Effect.Effect<Instrument | undefined> = internal.make

/**
 * The outcome of a started item's exit: interrupted only when interruption is all that happened.
 *
 * **Example**
 *
 * ```ts
 * import { Exit } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * Telemetry.outcomeOf(Exit.fail("boom")) // "failed"
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const outcomeOf: (exit: Exit.Exit<unknown, unknown>) => Outcome = internal.outcomeOf

/**
 * What one instance's series hold now (see `values`): the gauges, the histograms (empty — count
 * 0 — before the first item), the count of each outcome, and the limit (`undefined` when it was
 * never set: an instance without one, or metrics that were off when it was made).
 *
 * **Example**
 *
 * ```ts
 * import type { Telemetry } from "@fiberkit/sync"
 *
 * const busy = (v: Telemetry.Values) => v.running > 0 || v.pending > 0
 * const meanWait = (v: Telemetry.Values) => v.waitTime.count === 0 ? 0 : v.waitTime.sum / v.waitTime.count
 * // the share of a pool's slots in use, where it has a limit
 * const utilisation = (v: Telemetry.Values) => v.limit === undefined || v.limit === 0 ? undefined : v.running / v.limit
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface Values {
  readonly pending: number
  readonly running: number
  readonly waitTime: Metric.HistogramState
  readonly runTime: Metric.HistogramState
  readonly outcomes: Readonly<Record<Outcome, number>>
  /** `fiberkit_limit`: the instance's limit, as last set; `undefined` when never set. */
  readonly limit: number | undefined
}

/**
 * The current values of the series of `source` and `group` (and `task`, if given) in the metric
 * registry in force: for a health check, a test, a log line. Creates no series.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * // a health check: how many wait in the pool "images" (a FiberPool made with that name)
 * const backlog = Effect.map(Telemetry.values("FiberPool", "images"), (v) => v.pending)
 * const healthy = Effect.map(backlog, (pending) => pending < 1_000)
 * ```
 *
 * @since 0.4.0
 * @category getters
 */
export const values: (source: string, group: string, task?: string) => Effect.Effect<Values> = internal.values

/**
 * What watches a primitive: the `Recorder` in force (a Timeline) and its metrics `instrument`,
 * under one `group` name, with the clock both read (`now`: the recorder's, else the instrument's).
 *
 * **Example**
 *
 * ```ts
 * import type { Telemetry } from "@fiberkit/sync"
 *
 * const describe = (o: Telemetry.Observers) =>
 *   `${o.group}: ${o.recorder === undefined ? "no timeline" : "timeline"}, ${o.instrument === undefined ? "no metrics" : "metrics"}`
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface Observers {
  readonly group: string
  readonly recorder: Recorder.Recorder | undefined
  readonly instrument: Instrument | undefined
  /** Now, in milliseconds: the recorder's clock when there is one, else the metrics'. */
  readonly now: () => number
}

/**
 * The observers of a primitive being made (for building one): the recorder and the metrics in
 * force, the instance named `name` or numbered per `source` once for both; `undefined` when
 * neither is on, so a primitive pays a single check per item.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const observed = yield* Telemetry.observers("MyPool", "images")
 *   observed?.instrument?.queued()
 *   return observed?.group // "images"
 * }).pipe(Effect.provide(Telemetry.layer()))
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const observers: (source: string, name: string | undefined) => Effect.Effect<Observers | undefined> =
  internal.observers

/**
 * The instrument of a primitive being made that reports to metrics only (no Timeline): named
 * `name`, or numbered per `source` as `Recorder.groupName` numbers; `undefined` when metrics are
 * off (and then no number is taken).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Telemetry } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const instrument = yield* Telemetry.instrument("MyQueue", "jobs")
 *   instrument?.queued(3)
 *   instrument?.dequeued(3)
 *   instrument?.ended("succeeded", 3)
 * }).pipe(Effect.provide(Telemetry.layer()))
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const instrument: (source: string, name: string | undefined) => Effect.Effect<Instrument | undefined> =
  internal.instrument
