import type * as Context from "effect/Context"
import * as Metric from "effect/Metric"
import type * as Api from "../Telemetry.js"
import { processGlobal } from "./processGlobal.js"

/** The names of the scheme, one per metric. @internal */
export const names = {
  pending: "fiberkit_pending",
  running: "fiberkit_running",
  waitTime: "fiberkit_wait_time",
  runTime: "fiberkit_run_time",
  outcomes: "fiberkit_outcomes_total",
  limit: "fiberkit_limit"
} as const

/**
 * The descriptions: part of a series' key in Effect's registry, so every instance must use the
 * very same text (one place, here).
 */
const descriptions = {
  pending: "Items waiting: submitted, not started yet",
  running: "Items inside: started, not ended yet",
  waitTime: "Milliseconds from submission to start",
  runTime: "Milliseconds from start to end",
  outcomes: "Items ended, by outcome",
  limit: "The instance's limit: its size, permits, starts per interval or capacity (see the Telemetry docs)"
} as const

/** @internal */
export const outcomes: ReadonlyArray<Api.Outcome> = ["succeeded", "failed", "interrupted", "rejected", "dropped"]

/** A histogram's numbers, kept as Effect's own histogram keeps them (buckets cumulated when read). */
class Histogram {
  private readonly bounds: Float64Array
  private readonly counts: Float64Array
  count = 0
  sum = 0
  min = Number.MAX_VALUE
  max = -Number.MAX_VALUE

  constructor(boundaries: ReadonlyArray<number>) {
    this.bounds = Float64Array.from([...boundaries].sort((a, b) => a - b))
    this.counts = new Float64Array(this.bounds.length + 1)
  }

  observe(value: number): void {
    // the first bucket whose boundary is at least `value` (the last: above every boundary)
    const bounds = this.bounds
    let low = 0
    let high = bounds.length
    while (low < high) {
      const mid = (low + high) >> 1
      if (value <= bounds[mid]!) high = mid
      else low = mid + 1
    }
    this.counts[low]!++
    this.count++
    this.sum += value
    if (value < this.min) this.min = value
    if (value > this.max) this.max = value
  }

  readonly state = (): Metric.HistogramState => {
    const buckets: Array<[number, number]> = []
    let cumulated = 0
    for (let i = 0; i < this.bounds.length; i++) {
      cumulated += this.counts[i]!
      buckets.push([this.bounds[i]!, cumulated])
    }
    return { buckets, count: this.count, sum: this.sum, min: this.min, max: this.max }
  }
}

const noop = () => {}

/**
 * The numbers of one series set (a source, a group, maybe a task), in one metric registry: plain
 * fields a primitive changes in its own steps, which the registry reads when a snapshot is taken
 * (`Metric.registerUnsafe`) — an update costs a field change, no look-up, no allocation.
 *
 * @internal
 */
export class Series {
  pending = 0
  running = 0
  /** The last limit set (`setLimit`), by any instance of the set; its gauge is registered then. */
  limit: number | undefined = undefined
  readonly waitTime: Histogram
  readonly runTime: Histogram
  readonly outcomes: Record<Api.Outcome, number> = { succeeded: 0, failed: 0, interrupted: 0, rejected: 0, dropped: 0 }

  constructor(
    private readonly attributes: Record<string, string>,
    boundaries: ReadonlyArray<number>,
    private readonly context: Context.Context<never>
  ) {
    this.waitTime = new Histogram(boundaries)
    this.runTime = new Histogram(boundaries)
    this.gauge("pending", () => this.pending)
    this.gauge("running", () => this.running)
    const histogram = (name: "waitTime" | "runTime", histogram: Histogram) =>
      Metric.registerUnsafe(
        Metric.histogram(names[name], { description: descriptions[name], attributes, boundaries }),
        context,
        { get: histogram.state, update: noop, modify: noop }
      )
    histogram("waitTime", this.waitTime)
    histogram("runTime", this.runTime)
    for (const outcome of outcomes) {
      const counter = Metric.counter(names.outcomes, {
        description: descriptions.outcomes,
        attributes: { ...attributes, outcome },
        incremental: true
      })
      Metric.registerUnsafe(counter, context, {
        get: () => ({ count: this.outcomes[outcome], incremental: true }),
        update: noop,
        modify: noop
      })
    }
  }

  /**
   * The limit is now `limit`: the last one set wins. Its gauge is registered the first time, so a
   * set whose limit was never set (an unbounded queue) has no `fiberkit_limit` series at all.
   */
  setLimit(limit: number): void {
    if (this.limit === undefined) this.gauge("limit", () => this.limit!)
    this.limit = limit
  }

  private gauge(name: "pending" | "running" | "limit", value: () => number): void {
    Metric.registerUnsafe(
      Metric.gauge(names[name], { description: descriptions[name], attributes: this.attributes }),
      this.context,
      { get: () => ({ value: value() }), update: noop, modify: noop }
    )
  }
}

// per registry (a test's own, or the process's), the series sets made so far, by their attributes
const registries = processGlobal(
  "@fiberkit/sync/Telemetry/series",
  () => new WeakMap<Metric.MetricRegistry, Map<string, Series>>()
)

/**
 * The series of `attributes` in the registry of `context`: made and registered the first time,
 * shared by every instance of the same attributes after that (their counts add up).
 *
 * @internal
 */
export const seriesOf = (
  attributes: Record<string, string>,
  boundaries: ReadonlyArray<number>,
  context: Context.Context<never>,
  registry: Metric.MetricRegistry
): Series => {
  let byKey = registries.get(registry)
  if (byKey === undefined) registries.set(registry, byKey = new Map())
  const key = JSON.stringify([attributes.source, attributes.group, attributes.task])
  let series = byKey.get(key)
  if (series === undefined) byKey.set(key, series = new Series(attributes, boundaries, context))
  return series
}
