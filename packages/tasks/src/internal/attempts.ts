import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { InvalidTaskArgs, TaskTimeout } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import type * as TaskStore from "../TaskStore.js"
import { describe } from "./definitions.js"
import type { Span, TaskRecording } from "./recording.js"

/**
 * The attempts of one task of the local manager: decode its arguments, run it (under the
 * timeout, in the manager's context), and after a typed failure run it again as the retry
 * Schedule allows; its value, or the last failure, is the effect's. `attempts` counts them as
 * they start, for the worker that records the outcome; `attempted` records each new start.
 * Under a recorder, each attempt is recorded when it ends, however it ends (an interruption too).
 *
 * @internal
 */
export const runAttempts = (options: {
  readonly record: TaskStore.TaskRecord
  readonly slot: number
  readonly definition: Api.TaskDefinition.Any
  readonly context: Context.Context<unknown>
  readonly timeout: Duration.DurationInput | undefined
  readonly retry: Schedule.Schedule<unknown, unknown> | undefined
  readonly recording: { readonly recording: TaskRecording; readonly taken: Span } | undefined
  readonly attempts: { count: number; startedAt: number }
  readonly attempted: (at: number, error: string) => Effect.Effect<void>
}): Effect.Effect<unknown, unknown> =>
  Effect.gen(function*() {
    const { attempts, definition, record, slot } = options
    const decoded = Schema.decodeUnknown(definition.args)(record.args).pipe(
      Effect.mapError((error) => new InvalidTaskArgs({ task: record.name, reason: error.message }))
    )
    const recording = options.recording
    // arguments it cannot decode end its first attempt before it runs
    const args = yield* recording === undefined ? decoded : Effect.tapErrorCause(
      decoded,
      (cause) => Effect.sync(() => recording.recording.record(record, slot, recording.taken, Exit.failCause(cause)))
    )
    const timeout = options.timeout === undefined ? undefined : Duration.decode(options.timeout)
    const attempt = Effect.suspend(() => {
      const run = Effect.provide(definition.run(args) as Effect.Effect<unknown, unknown, unknown>, options.context)
      if (timeout === undefined) return run
      const attemptNumber = attempts.count
      return Effect.timeoutFail(run, {
        duration: timeout,
        onTimeout: () =>
          new TaskTimeout({ id: record.id, attempt: attemptNumber, timeoutMillis: Duration.toMillis(timeout) })
      })
    })
    let span = recording?.taken
    const recorded = recording === undefined ? attempt : Effect.suspend(() => {
      const current = span ?? recording.recording.retry()
      span = undefined
      return Effect.onExit(
        attempt,
        (exit) => Effect.sync(() => recording.recording.record(record, slot, current, exit))
      )
    })
    const driver = yield* Schedule.driver(options.retry ?? Schedule.stop)
    for (;;) {
      const exit = yield* Effect.exit(recorded)
      if (Exit.isSuccess(exit) || !Cause.isFailType(exit.cause)) return yield* exit
      // a typed failure: another attempt if the schedule allows (its delay is slept in `next`)
      const again = yield* Effect.option(driver.next(exit.cause.error))
      if (Option.isNone(again)) return yield* exit
      const now = yield* Clock.currentTimeMillis
      attempts.count++
      attempts.startedAt = now
      yield* options.attempted(now, describe(exit.cause))
    }
  })
