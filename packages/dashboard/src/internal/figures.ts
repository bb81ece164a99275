import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import type * as Snapshot from "../Snapshot.js"

/** The limit gauge's name (published by the pools, limiters, queues and task managers). */
const limitName = "fiberkit_limit"

const ours: ReadonlySet<string> = new Set([...Object.values(Telemetry.names), limitName])

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
  waitTime: Snapshot.Percentiles
  runTime: Snapshot.Percentiles
  outcomes: Record<Telemetry.Outcome, number>
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
      instance = {
        source,
        group,
        task,
        running: 0,
        pending: 0,
        limit: undefined,
        waitTime: none,
        runTime: none,
        outcomes: { succeeded: 0, failed: 0, interrupted: 0, rejected: 0, dropped: 0 }
      }
      found.set(key, instance)
    }
    if (snapshot.type === "Gauge") {
      const value = Number(snapshot.state.value)
      if (snapshot.id === Telemetry.names.pending) instance.pending += value
      else if (snapshot.id === Telemetry.names.running) instance.running += value
      else if (snapshot.id === limitName) instance.limit = value
    } else if (snapshot.type === "Histogram") {
      if (snapshot.id === Telemetry.names.waitTime) instance.waitTime = percentiles(snapshot.state)
      else if (snapshot.id === Telemetry.names.runTime) instance.runTime = percentiles(snapshot.state)
    } else if (snapshot.type === "Counter" && snapshot.id === Telemetry.names.outcomes) {
      const outcome = attributes!.outcome as Telemetry.Outcome
      if (outcome in instance.outcomes) instance.outcomes[outcome] += Number(snapshot.state.count)
    }
  }
  return [...found.values()].sort((a, b) =>
    a.source.localeCompare(b.source) || a.group.localeCompare(b.group, undefined, { numeric: true }) ||
    (a.task ?? "").localeCompare(b.task ?? "")
  )
})
