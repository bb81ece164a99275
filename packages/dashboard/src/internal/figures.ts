import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Snapshot from "../Snapshot.js"

const ours: ReadonlySet<string> = new Set(Object.values(Telemetry.names))

const none: Snapshot.Percentiles = { count: 0, p50: undefined, p95: undefined, p99: undefined, max: undefined }

/**
 * The upper bound of the bucket the `q` quantile falls in (buckets are cumulative), at most the
 * largest observation; the largest observation when it falls past the last boundary.
 *
 * @internal
 */
export const quantile = (state: Metric.HistogramState, q: number): number => {
  const rank = Math.max(1, Math.ceil(q * state.count))
  for (const [boundary, cumulated] of state.buckets) {
    if (cumulated >= rank) return Math.min(boundary, state.max)
  }
  return state.max
}

/** @internal */
export const percentiles = (state: Metric.HistogramState): Snapshot.Percentiles =>
  state.count === 0 ? none : {
    count: state.count,
    p50: quantile(state, 0.5),
    p95: quantile(state, 0.95),
    p99: quantile(state, 0.99),
    max: state.max
  }

interface Building {
  source: string
  group: string
  task: string | undefined
  running: number
  pending: number
  limit: number | undefined
  waitTime: Metric.HistogramState | undefined
  runTime: Metric.HistogramState | undefined
  outcomes: Record<Telemetry.Outcome, number>
  /** Whether the instance's own series hold any figure (a task manager publishes by task only). */
  own: boolean
}

/** Two histograms over the same boundaries as one (their buckets are cumulative counts). @internal */
export const mergeHistograms = (
  a: Metric.HistogramState | undefined,
  b: Metric.HistogramState | undefined
): Metric.HistogramState | undefined => {
  if (a === undefined || a.count === 0) return b
  if (b === undefined || b.count === 0) return a
  const counts = new Map(b.buckets)
  return {
    buckets: a.buckets.map(([boundary, count]) => [boundary, count + (counts.get(boundary) ?? 0)]),
    count: a.count + b.count,
    sum: a.sum + b.sum,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max)
  }
}

const building = (source: string, group: string, task: string | undefined): Building => ({
  source,
  group,
  task,
  running: 0,
  pending: 0,
  limit: undefined,
  waitTime: undefined,
  runTime: undefined,
  outcomes: { succeeded: 0, failed: 0, interrupted: 0, rejected: 0, dropped: 0 },
  own: false
})

/** Whether a row has any figure: something waited, ran or ended. */
const observed = (row: Building): boolean =>
  row.pending !== 0 || row.running !== 0 || (row.waitTime?.count ?? 0) > 0 || (row.runTime?.count ?? 0) > 0 ||
  Object.values(row.outcomes).some((count) => count > 0)

/** A task manager's own row: the sums of its task rows. */
const addInto = (total: Building, part: Building): void => {
  total.running += part.running
  total.pending += part.pending
  total.waitTime = mergeHistograms(total.waitTime, part.waitTime)
  total.runTime = mergeHistograms(total.runTime, part.runTime)
  for (const outcome of Object.keys(total.outcomes) as Array<Telemetry.Outcome>) {
    total.outcomes[outcome] += part.outcomes[outcome]
  }
}

const keyOf = (source: string, group: string, task: string | undefined) =>
  task === undefined ? `${source}\u0000${group}` : `${source}\u0000${group}\u0000${task}`

/**
 * Every instance that published under fiberkit's naming scheme in the metric registry in force,
 * in order of source, group and task (an instance's own row before its task rows).
 *
 * @internal
 */
export const instances: Effect.Effect<Array<Snapshot.Instance>> = Effect.map(Metric.snapshot, (snapshots) => {
  const found = new Map<string, Building>()
  for (const snapshot of snapshots) {
    if (!ours.has(snapshot.id)) continue
    const attributes = snapshot.attributes
    const source = attributes?.source
    const group = attributes?.group
    if (typeof source !== "string" || typeof group !== "string") continue
    const task = typeof attributes!.task === "string" ? attributes!.task : undefined
    const key = keyOf(source, group, task)
    let instance = found.get(key)
    if (instance === undefined) {
      instance = building(source, group, task)
      found.set(key, instance)
    }

    if (snapshot.type === "Gauge") {
      const value = Number(snapshot.state.value)
      if (snapshot.id === Telemetry.names.pending) instance.pending += value
      else if (snapshot.id === Telemetry.names.running) instance.running += value
      else if (snapshot.id === Telemetry.names.limit) instance.limit = value
    } else if (snapshot.type === "Histogram") {
      if (snapshot.id === Telemetry.names.waitTime) instance.waitTime = snapshot.state
      else if (snapshot.id === Telemetry.names.runTime) instance.runTime = snapshot.state
    } else if (snapshot.type === "Counter" && snapshot.id === Telemetry.names.outcomes) {
      const outcome = attributes!.outcome as Telemetry.Outcome
      if (outcome in instance.outcomes) instance.outcomes[outcome] += Number(snapshot.state.count)
    }
  }
  // an instance that publishes by task only (a task manager: its own series stay at 0) gets a row
  // of its own: their sums
  for (const row of found.values()) row.own = row.task === undefined && observed(row)
  for (const part of [...found.values()]) {
    if (part.task === undefined) continue
    const key = keyOf(part.source, part.group, undefined)
    let total = found.get(key)
    if (total === undefined) {
      total = building(part.source, part.group, undefined)
      found.set(key, total)
    }
    if (!total.own) addInto(total, part)
  }
  return [...found.values()].map(({ own: _, ...row }): Snapshot.Instance => ({
    ...row,
    waitTime: row.waitTime === undefined ? none : percentiles(row.waitTime),
    runTime: row.runTime === undefined ? none : percentiles(row.runTime)
  })).sort((a, b) =>
    a.source.localeCompare(b.source) || a.group.localeCompare(b.group, undefined, { numeric: true }) ||
    (a.task ?? "").localeCompare(b.task ?? "")
  )
})
