import * as Recorder from "@fiberkit/sync/Recorder"
import * as Effect from "effect/Effect"

/**
 * What a limiter made under a recorder reports: each use's wait for its permit (queued → started)
 * and its run (started → ended). Uses have no lane: a chart packs them into rows.
 * @internal
 */
export class Recording {
  private count = 0
  constructor(readonly recorder: Recorder.Recorder, readonly source: string, readonly group: string) {}

  /**
   * A use, recorded: `use(started)` waits for its permit, runs `started`, then its effect. A use
   * interrupted while it waits is recorded as such, with a run of no length.
   */
  track<A, E, R>(use: (started: Effect.Effect<void>) => Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      const label = `#${++this.count}`
      const queuedAt = this.recorder.now()
      let startedAt = -1
      const started = Effect.sync(() => {
        startedAt = this.recorder.now()
      })
      return Effect.onExit(use(started), (exit) =>
        Effect.sync(() => {
          const endedAt = this.recorder.now()
          this.recorder.record({
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
 * The recording for a limiter being made, if a recorder is in force: named `name`, or numbered
 * per source in order of creation.
 * @internal
 */
export const recording = (source: string, name: string | undefined): Effect.Effect<Recording | undefined> =>
  Effect.flatMap(Recorder.current, (recorder) => {
    if (recorder === undefined) return Effect.succeed(undefined)
    return Effect.map(Recorder.groupName(source, name), (group) => new Recording(recorder, source, group))
  })
