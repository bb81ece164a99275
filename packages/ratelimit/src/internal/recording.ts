import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * How a use that never got its permit ended: refused on arrival or dropped for a newer one
 * (`PendingLimitExceeded`), interrupted while it waited, or failed (a defect: an impossible cost).
 */
const outcomeUnstarted = (exit: Exit.Exit<unknown, unknown>): Telemetry.Outcome => {
  if (Exit.isSuccess(exit)) return "succeeded"
  const error = Cause.findErrorOption(exit.cause)
  if (error._tag === "Some" && error.value instanceof PendingLimitExceeded) {
    return error.value.dropped ? "dropped" : "rejected"
  }
  return Telemetry.outcomeOf(exit)
}

/**
 * What a limiter made under a recorder, or with metrics on, reports: each use's wait for its
 * permit (queued → started) and its run (started → ended). Uses have no lane: a chart packs them
 * into rows. The metrics follow a use through the same points: pending from arrival to its
 * permit (or its leaving), running from its permit to its end, one outcome.
 * @internal
 */
export class Recording {
  private count = 0
  private readonly recorder: Telemetry.Observers["recorder"]
  private readonly instrument: Telemetry.Instrument | undefined
  private readonly now: () => number
  private readonly group: string

  constructor(observers: Telemetry.Observers, readonly source: string) {
    this.recorder = observers.recorder
    this.instrument = observers.instrument
    this.now = observers.now
    this.group = observers.group
  }

  /** The limiter's limit is now `limit` (`fiberkit_limit`; see the Telemetry docs for what each source publishes). */
  limited(limit: number): void {
    this.instrument?.limited(limit)
  }

  /**
   * A limit Redis told: published if it is a count — one that is not (a message someone else
   * published on the channel) is no mistake of this process, and must not throw in its listener.
   */
  heard(limit: number): void {
    if (Number.isSafeInteger(limit) && limit >= 0) this.instrument?.limited(limit)
  }

  /**
   * A use, recorded: `use(started)` waits for its permit, runs `started`, then its effect. A use
   * interrupted while it waits is recorded as such, with a run of no length.
   */
  track<A, E, R>(use: (started: Effect.Effect<void>) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      const instrument = this.instrument
      const label = `#${++this.count}`
      const queuedAt = this.now()
      instrument?.queued()
      let startedAt = -1
      const started = Effect.sync(() => {
        startedAt = this.now()
        if (instrument !== undefined) {
          instrument.dequeued()
          instrument.started(startedAt - queuedAt)
        }
      })
      return Effect.onExit(use(started), (exit) =>
        Effect.sync(() => {
          const endedAt = this.now()
          if (instrument !== undefined) {
            if (startedAt < 0) {
              instrument.dequeued()
              instrument.ended(outcomeUnstarted(exit))
            } else {
              instrument.stopped()
              instrument.ran(endedAt - startedAt)
              instrument.ended(Telemetry.outcomeOf(exit))
            }
          }
          this.recorder?.record({
            source: this.source,
            group: this.group,
            lane: undefined,
            label,
            queuedAt,
            startedAt: startedAt < 0 ? endedAt : startedAt,
            endedAt,
            outcome: Recorder.outcomeOf(exit)
          })
        }))
    })
  }
}

/**
 * The recording for a limiter being made, if a recorder or metrics are in force: named `name`,
 * or numbered per source in order of creation.
 * @internal
 */
export const recording = (source: string, name: string | undefined): Effect.Effect<Recording | undefined> =>
  Effect.map(
    Telemetry.observers(source, name),
    (observers) => observers === undefined ? undefined : new Recording(observers, source)
  )
