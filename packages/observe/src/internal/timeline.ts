import { InvalidOptions } from "@fiberkit/sync/Errors"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as RecordRing from "@fiberkit/sync/RecordRing"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Api from "../Timeline.js"

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
    return Effect.clockWith((clock) => {
      const ring = RecordRing.make(capacity)
      const recorder: Recorder.Recorder = {
        now: Recorder.nowOf(clock),
        record: (task) => ring.push(task)
      }
      const timeline: Api.TimelineService = {
        capacity,
        recorder,
        records: Effect.sync(() => ring.toArray()),
        dropped: Effect.sync(() => ring.dropped),
        clear: Effect.sync(() => ring.clear())
      }
      return Effect.succeed(timeline)
    })
  })

/** @internal */
export const layer = (options?: Api.TimelineOptions): Layer.Layer<Api.Timeline, InvalidOptions> =>
  Layer.effectContext(Effect.zipWith(make(options), Recorder.current, (timeline, previous) =>
    // the recorder is part of the layer's output, so it is in force for everything the layer is
    // provided to: pools and limiters made there record (to a recorder in force already too)
    Context.make(Api.Timeline, timeline).pipe(
      Context.add(Recorder.currentRecorder, Recorder.alongside(timeline.recorder, previous))
    )))

/** @internal */
export const recording =
  (timeline: Api.TimelineService) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(
      Recorder.current,
      (previous) =>
        Effect.provideService(effect, Recorder.currentRecorder, Recorder.alongside(timeline.recorder, previous))
    )

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
