/**
 * The typed errors of `@fiberkit/tasks`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"

export {
  /**
   * An option outside its range, e.g. `concurrency` below 1.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * An attempt ran longer than its task's `timeout` (or the manager's); it counts as a failed
 * attempt (and is retried if the retry schedule allows). A Schema class, like every error that
 * can cross to another process in a task's outcome: it encodes and decodes as itself.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskTimeout extends Schema.TaggedError<TaskTimeout>()("TaskTimeout", {
  id: Schema.String,
  attempt: Schema.Number,
  timeoutMillis: Schema.Number
}) {
  override get message(): string {
    return `task ${this.id}: attempt ${this.attempt} ran over its ${this.timeoutMillis} ms timeout`
  }
}

/**
 * An attempt ended interrupted by the task itself — `Effect.interrupt`, or joining a fiber that
 * was interrupted — with no `cancel` and no shutdown to stop it: the task fails with this error,
 * once (an interruption is not retried: it would most likely end the same way).
 *
 * @since 0.2.0
 * @category errors
 */
export class TaskInterrupted extends Schema.TaggedError<TaskInterrupted>()("TaskInterrupted", {
  id: Schema.String,
  attempt: Schema.Number
}) {
  override get message(): string {
    return `task ${this.id}: attempt ${this.attempt} ended interrupted by the task itself (no cancel, no shutdown)`
  }
}

/**
 * `add` was given arguments that its task's Schema rejects; nothing was added.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTaskArgs extends Schema.TaggedError<InvalidTaskArgs>()("InvalidTaskArgs", {
  task: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid arguments for task "${this.task}": ${this.reason}`
  }
}

/**
 * A `results` or `subscribe` stream fell `capacity` outcomes behind (the manager's
 * `resultsBuffer`): it fails here rather than hold outcomes without bound. The outcomes it
 * missed are in the store (`status`); the manager and its other streams go on.
 *
 * @since 0.2.0
 * @category errors
 */
export class ResultsOverflow extends Data.TaggedError("ResultsOverflow")<{ readonly capacity: number }> {
  override get message(): string {
    return `a results stream fell ${this.capacity} outcomes behind and was stopped (read it faster, or raise resultsBuffer)`
  }
}

/**
 * `add` was given an id that no store can keep as given: the empty string, more than 256
 * characters (Unicode code points), a control character (Unicode's Cc, C1 included) or a lone
 * surrogate. Any other string is a valid id on every store.
 *
 * @since 0.2.0
 * @category errors
 */
export class InvalidTaskId extends Data.TaggedError("InvalidTaskId")<{
  readonly id: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid task id ${JSON.stringify(this.id.slice(0, 80))}: ${this.reason}`
  }
}

/**
 * `add` named a task that the manager was not made with.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownTask extends Schema.TaggedError<UnknownTask>()("UnknownTask", { task: Schema.String }) {
  override get message(): string {
    return `no task is defined with the name "${this.task}"`
  }
}

/**
 * A task died: an attempt ended with a defect (a thrown exception, `Effect.die`) rather than a
 * typed failure. It is not retried. `defect` is what it died with (across processes: an `Error`
 * with its name and message).
 *
 * @since 0.3.0
 * @category errors
 */
export class TaskDefect extends Schema.TaggedError<TaskDefect>()("TaskDefect", {
  id: Schema.String,
  defect: Schema.Defect()
}) {
  override get message(): string {
    const defect = this.defect
    return `task ${this.id} died: ${defect instanceof Error ? `${defect.name}: ${defect.message}` : String(defect)}`
  }
}

/**
 * `status` or `cancel` was given an id that the store does not know.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskNotFound extends Data.TaggedError("TaskNotFound")<{ readonly id: string }> {
  override get message(): string {
    return `no task has the id ${this.id}`
  }
}

/**
 * The manager is shut down: it accepts no new task.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskManagerShutDown extends Data.TaggedError("TaskManagerShutDown")<{}> {
  override get message(): string {
    return "the task manager is shut down: it accepts no new task"
  }
}

/**
 * The task store failed (a database error): the operation's outcome is unknown.
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskStoreError extends Data.TaggedError("TaskStoreError")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message(): string {
    return `the task store failed to ${this.operation}: ${String(this.cause)}`
  }
}

/**
 * A task ended, but its outcome could not be read (the BullMQ store: its job was removed before
 * its event was read, or its data could not be read however often it was tried). `results`
 * publishes the task with `state: "unknown"` and this error instead of leaving it out. `event` is
 * what the queue's event said: `completed` or `failed`.
 *
 * @since 0.2.0
 * @category errors
 */
export class TaskOutcomeUnreadable extends Data.TaggedError("TaskOutcomeUnreadable")<{
  readonly id: string
  readonly event: string
  readonly reason: string
}> {
  override get message(): string {
    return `the outcome of task ${this.id} (${this.event}) could not be read: ${this.reason}`
  }
}

/**
 * Redis could not be reached: the connection failed on every try of a bounded retry (the URL is
 * shown without its password).
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisUnreachable extends Data.TaggedError("RedisUnreachable")<{
  readonly url: string
  readonly attempts: number
  readonly cause: unknown
}> {
  override get message(): string {
    const reason = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Redis at ${this.url} is unreachable after ${this.attempts} attempts: ${reason}`
  }
}
