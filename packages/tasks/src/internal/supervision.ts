import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Result from "effect/Result"
import * as Schedule from "effect/Schedule"
import { TaskStoreError } from "../Errors.js"

/**
 * The default `storeRetry`: exponential from 100 ms (doubling), each delay at most 5 seconds,
 * 10 retries — about 26 seconds in all.
 *
 * @internal
 */
export const defaultStoreRetry: Schedule.Schedule<unknown, TaskStoreError> = Schedule.max([
  Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")]),
  Schedule.recurs(10)
])

/** @internal */
export type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** A failure or a defect of a store operation, as a `TaskStoreError`. */
const toStoreError = (operation: string, cause: Cause.Cause<TaskStoreError>): TaskStoreError => {
  const failure = Cause.findErrorOption(cause)
  return failure._tag === "Some" ? failure.value : new TaskStoreError({ operation, cause: Cause.squash(cause) })
}

/** @internal */
export interface Supervision {
  readonly schedule: Schedule.Schedule<unknown, TaskStoreError>
  /** The store operation, for the logs: `take`, `attempt`, `finish`, `release`. */
  readonly operation: string
  readonly taskId?: string | undefined
  /** Makes the delays between tries interruptible (a worker waiting for a task). */
  readonly restore?: Restore | undefined
}

const label = (operation: string, taskId: string | undefined) =>
  taskId === undefined ? operation : `${operation} task ${taskId}`

/**
 * A store operation of the manager's, supervised: each failure (a defect too) is logged as a
 * warning with the operation, the task id and the error, and the operation runs again after the
 * delay `schedule` chooses. When the schedule ends, giving up is logged as an error and the
 * operation fails with its last error. An interruption is not retried. The delays run under
 * `restore`: interruptible for a caller that waits (a worker taking a task), in the caller's own
 * region otherwise.
 *
 * @internal
 */
export const supervised = <A>(
  options: Supervision,
  effect: Effect.Effect<A, TaskStoreError>
): Effect.Effect<A, TaskStoreError> =>
  // nothing to set up until the first failure
  Effect.catchCause(
    effect,
    (cause) => Cause.hasInterruptsOnly(cause) ? Effect.failCause(cause) : retrying(options, effect, cause)
  )

const retrying = <A>(
  options: Supervision,
  effect: Effect.Effect<A, TaskStoreError>,
  first: Cause.Cause<TaskStoreError>
): Effect.Effect<A, TaskStoreError> =>
  Effect.gen(function*() {
    const { operation, taskId } = options
    const annotations = taskId === undefined ? { operation } : { operation, taskId }
    const step = yield* Schedule.toStepWithSleep(options.schedule)
    let cause = first
    for (let failures = 1;; failures++) {
      const error = toStoreError(operation, cause)
      yield* Effect.logWarning(
        `the task store failed to ${label(operation, taskId)} (failure ${failures}): ${error.message}`
      ).pipe(Effect.annotateLogs(annotations))
      const delay = step(error)
      const again = yield* Effect.result(options.restore === undefined ? delay : options.restore(delay))
      if (Result.isFailure(again)) {
        yield* Effect.logError(
          `the task store failed to ${label(operation, taskId)} ${failures} times: storeRetry gives up`
        ).pipe(Effect.annotateLogs(annotations))
        return yield* Effect.fail(error)
      }
      const exit = yield* Effect.exit(effect)
      if (Exit.isSuccess(exit)) return exit.value
      if (Cause.hasInterruptsOnly(exit.cause)) return yield* exit
      cause = exit.cause
    }
  })
