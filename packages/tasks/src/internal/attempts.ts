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
import { retryInput, RetryPlan } from "./retry.js"
import { currentTask, type ProgressReports, taskContext } from "./taskContext.js"
import { running } from "./taskTrace.js"

/**
 * The attempts of one task of the local manager: decode its arguments, run it (under the
 * timeout, in the manager's context), and after a typed failure run it again as the retry
 * Schedule allows; its value, or the last failure, is the effect's. `attempts` counts them as
 * they start, for the worker that records the outcome; `attempted` records each new start.
 * Under a recorder, each attempt is recorded when it ends, however it ends (an interruption too).
 *
 * The Schedule resumes after the failures the store counted (a task stopped by a shutdown, or
 * left by a process that ended, and taken again: `RetryPlan`). A failure to be retried is
 * recorded (`failed`) in the step its attempt ended, uninterruptibly: a stop during the retry's
 * delay keeps the count.
 *
 * @internal
 */
export const runAttempts = (options: {
  readonly record: TaskStore.TaskRecord
  readonly slot: number
  readonly definition: Api.TaskDefinition.Any
  readonly context: Context.Context<unknown>
  readonly timeout: Duration.Input | undefined
  readonly retry: Schedule.Schedule<unknown, unknown> | undefined
  readonly recording: { readonly recording: TaskRecording; readonly taken: Span } | undefined
  readonly attempts: { count: number; startedAt: number }
  readonly failed: (error: string) => Effect.Effect<void>
  readonly attempted: (at: number) => Effect.Effect<void>
  /** Where its progress reports go (`TaskContext.progress`). */
  readonly reports: ProgressReports
}): Effect.Effect<unknown, unknown> =>
  Effect.gen(function*() {
    const { attempts, definition, record, slot } = options
    const decoded = Schema.decodeUnknownEffect(definition.args)(record.args).pipe(
      Effect.mapError((error) => new InvalidTaskArgs({ task: record.name, reason: error.message }))
    )
    const recording = options.recording
    // arguments it cannot decode end its first attempt before it runs
    const args = yield* recording === undefined ? decoded : Effect.tapCause(
      decoded,
      (cause) => Effect.sync(() => recording.recording.record(record, slot, recording.taken, Exit.failCause(cause)))
    )
    const timeout = options.timeout === undefined ? undefined : Duration.fromInputUnsafe(options.timeout)
    const attempt = Effect.suspend(() => {
      const traced = running(
        record,
        attempts.count,
        attempts.count === 1 ? attempts.startedAt : undefined,
        definition.run(args) as Effect.Effect<unknown, unknown, unknown>
      )
      const run = Effect.provideService(
        Effect.provide(traced, options.context),
        currentTask,
        taskContext(record.id, record.name, attempts.count, options.reports)
      )
      if (timeout === undefined) return run
      const attemptNumber = attempts.count
      return Effect.timeoutOrElse(run, {
        duration: timeout,
        orElse: () =>
          Effect.fail(
            new TaskTimeout({ id: record.id, attempt: attemptNumber, timeoutMillis: Duration.toMillis(timeout) })
          )
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
    const plan = new RetryPlan(options.retry ?? Schedule.recurs(0), record.failures, record.addedAt)
    return yield* Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        for (;;) {
          const exit = yield* Effect.exit(restore(recorded))
          if (Exit.isSuccess(exit)) return yield* exit
          const failure = retryInput(exit.cause)
          if (Option.isNone(failure)) return yield* exit
          // a typed failure: another attempt if the schedule allows, after its delay
          const delay = yield* plan.next(failure.value)
          if (Option.isNone(delay)) return yield* exit
          yield* options.failed(describe(exit.cause))
          yield* restore(Effect.sleep(delay.value))
          const now = yield* Clock.currentTimeMillis
          attempts.count++
          attempts.startedAt = now
          yield* options.attempted(now)
        }
      })
    )
  })
