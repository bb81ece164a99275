import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import * as Recorder from "../Recorder.js"
import type * as Api from "../Telemetry.js"
import { names, type Series, seriesOf } from "./telemetrySeries.js"

export { names }

/** Milliseconds: from 0.1 ms (a fiber task) to a minute (a slow job), about ×2.5 a step. @internal */
export const defaultBoundaries: ReadonlyArray<number> = [
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  25,
  50,
  100,
  250,
  500,
  1_000,
  2_500,
  5_000,
  10_000,
  30_000,
  60_000
]

const nowOf = Recorder.nowOf

/** @internal */
export const enabled: Context.Reference<boolean> = Context.Reference<boolean>(
  "@fiberkit/sync/Telemetry/enabled",
  { defaultValue: () => false }
)

/** @internal */
export const boundaries: Context.Reference<ReadonlyArray<number>> = Context.Reference<ReadonlyArray<number>>(
  "@fiberkit/sync/Telemetry/boundaries",
  { defaultValue: () => defaultBoundaries }
)

/**
 * One instance's instrument: its series set's plain numbers (see `Series`), changed in place.
 *
 * @internal
 */
export class InstrumentImpl implements Api.Instrument {
  private readonly series: Series
  private tasks: Map<string, InstrumentImpl> | undefined
  readonly now: () => number

  constructor(
    readonly source: string,
    readonly group: string,
    readonly task: string | undefined,
    private readonly context: Context.Context<never>,
    private readonly clock: Clock.Clock,
    private readonly bounds: ReadonlyArray<number>
  ) {
    this.now = nowOf(clock)
    const attributes: Record<string, string> = task === undefined ? { source, group } : { source, group, task }
    this.series = seriesOf(attributes, bounds, context, Context.get(context, Metric.MetricRegistry))
  }

  queued(count = 1): void {
    this.series.pending += count
  }

  dequeued(count = 1): void {
    this.series.pending -= count
  }

  started(waitMillis: number): void {
    this.series.running++
    this.series.waitTime.observe(Math.max(0, waitMillis))
  }

  stopped(): void {
    this.series.running--
  }

  ran(runMillis: number): void {
    this.series.runTime.observe(Math.max(0, runMillis))
  }

  ended(outcome: Api.Outcome, count = 1): void {
    this.series.outcomes[outcome] += count
  }

  limited(limit: number): void {
    // a programming mistake of the primitive's: a defect where it sets it (make, resize)
    if (!(Number.isFinite(limit) && limit >= 0)) {
      throw new Cause.IllegalArgumentError(`Instrument.limited: limit must be a finite number ≥ 0, got ${limit}`)
    }
    this.series.setLimit(limit)
  }

  forTask(task: string): Api.Instrument {
    this.tasks ??= new Map()
    let instrument = this.tasks.get(task)
    if (instrument === undefined) {
      instrument = new InstrumentImpl(this.source, this.group, task, this.context, this.clock, this.bounds)
      this.tasks.set(task, instrument)
    }
    return instrument
  }
}

/** @internal */
export const make = (source: string, group: string): Effect.Effect<Api.Instrument | undefined> =>
  Effect.map(
    Effect.context<never>(),
    (context) =>
      Context.get(context, enabled)
        ? new InstrumentImpl(
          source,
          group,
          undefined,
          context,
          Context.get(context, Clock.Clock),
          Context.get(context, boundaries)
        )
        : undefined
  )

/** @internal */
export const instrument = (source: string, name: string | undefined): Effect.Effect<Api.Instrument | undefined> =>
  Effect.flatMap(
    Effect.service(enabled),
    (on) => on ? Effect.flatMap(Recorder.groupName(source, name), (group) => make(source, group)) : Effect.undefined
  )

/** @internal */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Api.Outcome =>
  Exit.isSuccess(exit) ? "succeeded" : Cause.hasInterruptsOnly(exit.cause) ? "interrupted" : "failed"

const noHistogram: Metric.HistogramState = { buckets: [], count: 0, min: 0, max: 0, sum: 0 }

/** @internal */
export const values = (source: string, group: string, task?: string): Effect.Effect<Api.Values> =>
  Effect.map(Metric.snapshot, (snapshots) => {
    const outcomeCounts: Record<Api.Outcome, number> = {
      succeeded: 0,
      failed: 0,
      interrupted: 0,
      rejected: 0,
      dropped: 0
    }
    const found: { -readonly [K in keyof Api.Values]: Api.Values[K] } = {
      pending: 0,
      running: 0,
      limit: undefined,
      waitTime: noHistogram,
      runTime: noHistogram,
      outcomes: outcomeCounts
    }
    for (const snapshot of snapshots) {
      const attributes = snapshot.attributes
      if (attributes?.source !== source || attributes.group !== group || attributes.task !== task) continue
      if (snapshot.type === "Gauge" && snapshot.id === names.pending) found.pending += Number(snapshot.state.value)
      else if (snapshot.type === "Gauge" && snapshot.id === names.running) found.running += Number(snapshot.state.value)
      else if (snapshot.type === "Gauge" && snapshot.id === names.limit) found.limit = Number(snapshot.state.value)
      else if (snapshot.type === "Histogram" && snapshot.id === names.waitTime) found.waitTime = snapshot.state
      else if (snapshot.type === "Histogram" && snapshot.id === names.runTime) found.runTime = snapshot.state
      else if (snapshot.type === "Counter" && snapshot.id === names.outcomes) {
        const outcome = attributes.outcome as Api.Outcome
        if (outcome in outcomeCounts) outcomeCounts[outcome] += Number(snapshot.state.count)
      }
    }
    return found
  })

/** @internal */
export const observers = (source: string, name: string | undefined): Effect.Effect<Api.Observers | undefined> =>
  Effect.gen(function*() {
    const recorder = yield* Recorder.current
    if (recorder === undefined && !(yield* Effect.service(enabled))) return undefined
    // one group for both: a Timeline and the metrics name the instance alike
    const group = yield* Recorder.groupName(source, name)
    const instrument = yield* make(source, group)
    return { group, recorder, instrument, now: recorder?.now ?? instrument!.now }
  })
