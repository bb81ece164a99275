/**
 * The typed errors of `@fiberkit/tasks`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Schema from "effect/Schema"
import { defectText } from "./internal/text.js"

export {
  /**
   * An option outside its range, e.g. `concurrency` below 1.
   *
   * **Example**
   *
   * ```ts
   * import { Effect, Schema } from "effect"
   * import { TaskManager } from "@fiberkit/tasks"
   *
   * const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
   * declare const workers: number // from the configuration: 0 or 2.5 fail InvalidOptions
   * const manager = Effect.catchTag(TaskManager.make({ tasks: [job], concurrency: workers }), "InvalidOptions", () => TaskManager.make({ tasks: [job] }))
   * ```
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * An attempt ran longer than its task's `timeout` (or the manager's); it counts as a failed
 * attempt (and is retried if the retry schedule allows). A Schema class, as every error that can
 * cross to another process: it encodes and decodes as itself.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema, Stream } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * declare const download: (url: string) => Effect.Effect<void>
 * const fetchPage = TaskManager.define("fetch-page", { args: Schema.String, run: download, timeout: "10 seconds" })
 *
 * const logTimeouts = (manager: TaskManager.TaskManager<typeof fetchPage>) =>
 *   Stream.runForEach(manager.results, (result) =>
 *     result.state === "failed" && result.error._tag === "TaskTimeout"
 *       ? Effect.logWarning(`${result.id}: attempt ${result.error.attempt} ran over ${result.error.timeoutMillis} ms`)
 *       : Effect.void)
 * ```
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
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager, type TaskResult } from "@fiberkit/tasks"
 *
 * // the task interrupts itself: it fails TaskInterrupted (a `cancel` would end it "cancelled" instead)
 * const poll = TaskManager.define("poll", {
 *   args: Schema.String,
 *   run: (url) => url ? Effect.log(`polling ${url}`) : Effect.interrupt
 * })
 *
 * const selfInterrupted = (result: TaskResult.TaskResult<typeof poll>): boolean =>
 *   result.state === "failed" && result.error._tag === "TaskInterrupted"
 * ```
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
 * `add` was given arguments that its task's Schema rejects; nothing was added. Also the failure
 * (on `results`) of a stored task whose arguments no longer decode.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const resize = TaskManager.define("resize", { args: Schema.Struct({ width: Schema.Int }), run: Effect.succeed })
 *
 * // `{ width: 1.5 }` type-checks, but its Schema rejects it: a bad request, and no task
 * const enqueue = (manager: TaskManager.TaskManager<typeof resize>, width: number) =>
 *   manager.add(resize, { width }).pipe(
 *     Effect.catchTag("InvalidTaskArgs", (error) => Effect.fail(`400: ${error.reason}`))
 *   )
 * ```
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
 * `resultsBuffer`): it fails here rather than hold outcomes without bound. The manager and its
 * other streams go on; a task's outcome can still be read with `status(id)` (a durable store
 * keeps it; the memory store only its last 10,000 finished tasks).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import type { TaskManager, TaskResult } from "@fiberkit/tasks"
 *
 * declare const manager: TaskManager.TaskManager<TaskManager.TaskDefinition.Any>
 * declare const save: (result: TaskResult.TaskResult) => Effect.Effect<void> // slower than the tasks end
 *
 * const archive = Stream.runForEach(manager.results, save).pipe(
 *   Effect.catchTag("ResultsOverflow", (error) => Effect.logError(`archive stopped: ${error.capacity} behind`))
 * )
 * ```
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
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const ship = TaskManager.define("ship", { args: Schema.String, run: Effect.log })
 *
 * // the id comes from outside: an empty or too long one fails InvalidTaskId, and nothing is added
 * const enqueue = (manager: TaskManager.TaskManager<typeof ship>, orderId: string) =>
 *   manager.add(ship, orderId, { id: orderId }).pipe(
 *     Effect.catchTag("InvalidTaskId", (error) => Effect.fail(`400: ${error.reason}`))
 *   )
 * ```
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
 * `add` named a task that the manager was not made with. Also the failure (on `results`) of a
 * stored task whose name none of the manager's definitions has.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskManager } from "@fiberkit/tasks"
 *
 * declare const manager: TaskManager.TaskManager<TaskManager.TaskDefinition.Any>
 *
 * // a name read from a message is any string: `add` checks it
 * const enqueue = (message: { readonly task: string; readonly args: unknown }) =>
 *   manager.add(message.task, message.args).pipe(
 *     Effect.catchTag("UnknownTask", (error) => Effect.logWarning(`message dropped: ${error.message}`))
 *   )
 * ```
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
 * **Example**
 *
 * ```ts
 * import { Effect, Schema, Stream } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * // JSON.parse throws: the task dies, and fails TaskDefect at once, whatever its retry
 * const parse = TaskManager.define("parse", {
 *   args: Schema.String,
 *   run: (text) => Effect.sync((): unknown => JSON.parse(text))
 * })
 *
 * const logDefects = (manager: TaskManager.TaskManager<typeof parse>) =>
 *   Stream.runForEach(manager.results, (result) =>
 *     result.state === "failed" && result.error._tag === "TaskDefect"
 *       ? Effect.logError(`${result.id} died`, result.error.defect)
 *       : Effect.void)
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export class TaskDefect extends Schema.TaggedError<TaskDefect>()("TaskDefect", {
  id: Schema.String,
  defect: Schema.Defect()
}) {
  override get message(): string {
    return `task ${this.id} died: ${defectText(this.defect)}`
  }
}

/**
 * `status` or `cancel` was given an id that the store does not know.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { TaskManager } from "@fiberkit/tasks"
 *
 * declare const manager: TaskManager.TaskManager<TaskManager.TaskDefinition.Any>
 *
 * // never added, or finished long ago and forgotten by the memory store
 * const stateOf = (id: string) =>
 *   Effect.map(manager.status(id), (record) => record.state).pipe(
 *     Effect.catchTag("TaskNotFound", () => Effect.succeed("unknown" as const))
 *   )
 * ```
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
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const notify = TaskManager.define("notify", { args: Schema.String, run: Effect.log })
 *
 * // a request that comes in while the process shuts down
 * const enqueue = (manager: TaskManager.TaskManager<typeof notify>, user: string) =>
 *   manager.add(notify, user).pipe(Effect.catchTag("TaskManagerShutDown", () => Effect.fail("503: try again later")))
 * ```
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
 * The task store failed (a database or Redis error). A local store's operation did not happen; on
 * Redis its outcome is unknown.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const report = TaskManager.define("report", { args: Schema.String, run: Effect.log })
 *
 * // the add may have been stored or not: tried again under the same id, it still runs once
 * const enqueue = (manager: TaskManager.TaskManager<typeof report>, month: string) =>
 *   manager.add(report, month, { id: `report:${month}` }).pipe(
 *     Effect.retry({ times: 3, while: (error) => error._tag === "TaskStoreError" })
 *   )
 * ```
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
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import type { TaskManager } from "@fiberkit/tasks"
 *
 * declare const manager: TaskManager.TaskManager<TaskManager.TaskDefinition.Any>
 *
 * const logEnds = Stream.runForEach(manager.results, (result) =>
 *   result.state === "unknown"
 *     ? Effect.logWarning(`task ${result.id} ended (${result.error.event}), its outcome lost: ${result.error.reason}`)
 *     : Effect.log(`task ${result.id} ${result.state}`))
 * ```
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
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskStore } from "@fiberkit/tasks"
 * import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
 *
 * // in development, without Redis: tasks in memory instead
 * const store = BullMQStore.make({ connectAttempts: 3 }).pipe(
 *   Effect.catchTag("RedisUnreachable", (error) => Effect.andThen(Effect.logWarning(error.message), TaskStore.memory))
 * )
 * ```
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
