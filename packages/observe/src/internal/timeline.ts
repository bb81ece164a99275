import { InvalidOptions } from "@fiberkit/sync/Errors"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Api from "../Timeline.js"
import { Ring } from "./ring.js"

/** @internal */
export const DEFAULT_CAPACITY = 10_000

/** @internal */
export const make = (
  options?: Api.TimelineOptions
): Effect.Effect<Api.TimelineService, InvalidOptions> =>
  Effect.suspend(() => {
    const capacity = options?.capacity ?? DEFAULT_CAPACITY
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      return Effect.fail(
        new InvalidOptions({
          operation: "Timeline.make",
          field: "capacity",
          expected: "an integer ≥ 1",
          value: capacity
        })
      )
    }
    return Effect.map(Effect.clock, (clock): Api.TimelineService => {
      const ring = new Ring(capacity)
      const recorder: Recorder.Recorder = {
        now: () => Number(clock.unsafeCurrentTimeNanos()) / 1e6,
        record: (task) => ring.push(task)
      }
      return {
        capacity,
        recorder,
        records: Effect.sync(() => ring.toArray()),
        dropped: Effect.sync(() => ring.dropped),
        clear: Effect.sync(() => ring.clear())
      }
    })
  })

/** @internal */
export const layer = (options?: Api.TimelineOptions): Layer.Layer<Api.Timeline, InvalidOptions> =>
  Layer.scopedContext(Effect.gen(function*() {
    const timeline = yield* make(options)
    // in force for everything the layer is provided to: pools and limiters made there record
    yield* Effect.locallyScoped(Recorder.currentRecorder, timeline.recorder)
    return Context.make(Api.Timeline, timeline)
  }))

/** @internal */
export const recording =
  (timeline: Api.TimelineService) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.locally(effect, Recorder.currentRecorder, timeline.recorder)

/** @internal */
export const recorded =
  (label: string, options?: Api.RecordedOptions) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(Recorder.current, (recorder) => {
      if (recorder === undefined) return effect
      const startedAt = recorder.now()
      return Effect.onExit(effect, (exit) =>
        Effect.sync(() =>
          recorder.record({
            source: options?.source ?? "task",
            group: options?.group ?? "tasks",
            lane: options?.lane,
            label,
            queuedAt: startedAt,
            startedAt,
            endedAt: recorder.now(),
            outcome: Recorder.outcomeOf(exit)
          })
        ))
    })
