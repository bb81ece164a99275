/**
 * The end of a task, as a manager's `results` publishes it once per task: typed by the task's
 * definition. Narrow on `name`, then on `state`: a succeeded task carries its definition's value
 * `A`, a failed one its typed error `E` or one of the manager's own failures
 * ({@link TaskResult.ManagerFailure}).
 *
 * @since 0.3.0
 */
import type {
  InvalidTaskArgs,
  TaskDefect,
  TaskInterrupted,
  TaskOutcomeUnreadable,
  TaskTimeout,
  UnknownTask
} from "./Errors.js"
import type { TaskDefinition } from "./TaskManager.js"

/**
 * One task's outcome, for the definitions `T` of its manager.
 *
 * Across processes (`BullMQStore`), a value and a typed error are decoded with the definition's
 * `success` and `failure` Schemas: give them for any value or error that JSON would change (a
 * class instance, a `Date`, a `bigint`). The manager's own failures always arrive as themselves.
 *
 * **Example**
 *
 * ```ts
 * import { Data, Effect, Schema, Stream } from "effect"
 * import { TaskManager, type TaskResult } from "@fiberkit/tasks"
 *
 * class Bounced extends Data.TaggedError("Bounced")<{ readonly to: string }> {}
 * const send = TaskManager.define("send", {
 *   args: Schema.String,
 *   run: (to) => to.endsWith("@x") ? Effect.fail(new Bounced({ to })) : Effect.succeed(to.length)
 * })
 *
 * const describe = (result: TaskResult.TaskResult<typeof send>): string => {
 *   switch (result.state) {
 *     case "succeeded":
 *       return `sent ${result.value} characters` // value: number
 *     case "failed":
 *       return result.error._tag === "Bounced" ? `bounced: ${result.error.to}` : result.error.message
 *     case "cancelled":
 *       return "cancelled"
 *     case "unknown":
 *       return result.error.reason
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TaskResult<T extends TaskDefinition.Any = TaskDefinition.Any> =
  | TaskResult.Ended<T>
  | TaskResult.Failed<string, never>
  | TaskResult.Unknown

/**
 * @since 0.3.0
 */
export declare namespace TaskResult {
  /**
   * What every outcome tells: the task's id, its attempts and its timings (epoch ms).
   *
   * @since 0.3.0
   * @category models
   */
  export interface Common {
    readonly id: string
    readonly attempts: number
    readonly addedAt: number
    readonly startedAt: number | undefined
    readonly finishedAt: number
    /** The last progress the task reported (`TaskContext.progress`), if it reported any. */
    readonly progress?: number | undefined
  }

  /**
   * A task of definition `Name` that succeeded with `value`.
   *
   * @since 0.3.0
   * @category models
   */
  export interface Succeeded<Name extends string, A> extends Common {
    readonly state: "succeeded"
    readonly name: Name
    readonly value: A
  }

  /**
   * A task that failed, with its last failure: its definition's typed error `E`, or a failure of
   * the manager's own. (A task stored under a name this manager was not made with fails
   * `UnknownTask`: its `name` is then none of the definitions'.)
   *
   * @since 0.3.0
   * @category models
   */
  export interface Failed<Name extends string, E> extends Common {
    readonly state: "failed"
    readonly name: Name
    readonly error: E | ManagerFailure
  }

  /**
   * A task that `cancel` stopped: it never ran, or was interrupted.
   *
   * @since 0.3.0
   * @category models
   */
  export interface Cancelled<Name extends string> extends Common {
    readonly state: "cancelled"
    readonly name: Name
  }

  /**
   * The BullMQ store only: the task ended, but its outcome could not be read (its job was removed
   * before its event was read, or could not be read however often it was tried). `name` is empty,
   * `attempts` 0, and `addedAt` and `finishedAt` are when the outcome was given up.
   *
   * @since 0.3.0
   * @category models
   */
  export interface Unknown extends Common {
    readonly state: "unknown"
    readonly name: ""
    readonly error: TaskOutcomeUnreadable
  }

  /**
   * The failures the manager itself gives a task: an attempt over its timeout, an attempt that
   * interrupted itself, arguments its Schema rejects, a name no definition has, a defect.
   *
   * @since 0.3.0
   * @category models
   */
  export type ManagerFailure = TaskTimeout | TaskInterrupted | InvalidTaskArgs | UnknownTask | TaskDefect

  /**
   * The outcomes of the tasks of definitions `T`, one union member per definition and state.
   *
   * @since 0.3.0
   * @category models
   */
  export type Ended<T extends TaskDefinition.Any> = T extends
    TaskDefinition<infer Name, infer A, infer E, infer _Args, infer _R>
    ? Succeeded<Name, A> | Failed<Name, E> | Cancelled<Name>
    : never
}
