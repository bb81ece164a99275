/**
 * A kind of task for a `TaskManager`: its name, the Schema of its arguments, what it does, and the
 * policies that replace the manager's defaults for it (retry, timeout, priority).
 *
 * @since 0.4.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Schema from "effect/Schema"
import type { TaskTimeout } from "./Errors.js"
import * as internal from "./internal/definitions.js"

/**
 * A kind of task: its name, the Schema of its arguments (they are stored encoded), and what it
 * does.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TaskManager } from "@fiberkit/tasks"
 *
 * const resize = TaskManager.define("resize", { args: Schema.Struct({ width: Schema.Number }), run: Effect.succeed })
 * type ResizeArgs = TaskManager.TaskDefinition.Args<typeof resize> // { readonly width: number }
 * const registry: ReadonlyArray<TaskManager.TaskDefinition.Any> = [resize]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskDefinition<Name extends string, A, E, Args, R> {
  readonly name: Name
  readonly args: Schema.Codec<Args, unknown>
  /**
   * How the task's value crosses a process boundary (`BullMQStore`): encoded in the process that
   * ran it, decoded where `results` is read. Without it the value must survive JSON as it is.
   */
  readonly success?: Schema.Codec<unknown, unknown, never, never> | undefined
  /**
   * How the task's typed error crosses a process boundary: with it, a failure comes back on
   * `results` as the typed error itself. Without it (or if it cannot encode the error: a warning
   * is logged), as plain data: its `_tag`, `message` and own fields.
   */
  readonly failure?: Schema.Codec<unknown, unknown, never, never> | undefined
  /** Runs one attempt of the task with its decoded arguments. */
  readonly run: (args: Args) => Effect.Effect<A, E, R>
  /**
   * When a failed attempt of this task is tried again, in place of the manager's `retry`: its
   * input is the attempt's typed error, or `TaskTimeout`. Default: the manager's. (Typed here as
   * any schedule, so that a definition stays covariant in `E`; `define` checks that it takes
   * `E | TaskTimeout`.)
   */
  readonly retry?: Schedule.Schedule<unknown, never> | undefined
  /** The most an attempt of this task may run, in place of the manager's `timeout`. */
  readonly timeout?: Duration.Input | undefined
  /**
   * The priority its tasks are added with when `add` gives none (an integer from -1,000,000 to
   * 1,000,000; else `TaskManager.make` fails `InvalidOptions`). Default: 0.
   */
  readonly priority?: number | undefined
  /**
   * The most tasks of this definition that run at once in one manager (one process), an integer
   * ≥ 1 (else `TaskManager.make` fails `InvalidOptions`); its other tasks wait while the tasks
   * behind them run — in their place on the local stores; on BullMQ a task put back at the limit
   * comes back behind the tasks of its priority added meanwhile. Default: no limit but the
   * manager's `concurrency`.
   */
  readonly concurrency?: number | undefined
}

/**
 * @since 0.1.0
 */
export declare namespace TaskDefinition {
  /**
   * @since 0.1.0
   * @category models
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any definition, whatever its types
  export type Any = TaskDefinition<string, any, any, any, any>
  /**
   * @since 0.1.0
   * @category models
   */
  export type Args<T> = T extends TaskDefinition<string, infer _A, infer _E, infer Args, infer _R> ? Args : never
  /**
   * @since 0.1.0
   * @category models
   */
  export type Context<T> = T extends TaskDefinition<string, infer _A, infer _E, infer _Args, infer R> ? R : never
  /**
   * The typed errors of the definitions `T`.
   *
   * @since 0.3.0
   * @category models
   */
  export type Error<T> = T extends TaskDefinition<string, infer _A, infer E, infer _Args, infer _R> ? E : never
  /**
   * The definition `D`, if its retry Schedule (of input `RI`) accepts its errors `E` and
   * `TaskTimeout`; else an error that no manager takes, naming the mismatch. (Checked on the
   * result: a check in `define`'s options would fix `E` before `run` is read.)
   *
   * @since 0.3.0
   * @category models
   */
  export type Checked<D, E, RI> = [E | TaskTimeout] extends [RI] ? D
    : { readonly error: "the retry Schedule must accept the task's errors and TaskTimeout" }
}

/**
 * Defines a task. Its own `retry` Schedule (fed the attempt's typed error, or `TaskTimeout`) and
 * `timeout` replace the manager's for it, and its `priority` is the default of its adds; the Schedule must accept every error the task fails with
 * and `TaskTimeout` (`Schedule.setInputType<E | TaskTimeout>()` types the input a `while` reads).
 *
 * **Example**
 *
 * ```ts
 * import { Data, Effect, Schedule, Schema } from "effect"
 * import { type Errors, TaskManager } from "@fiberkit/tasks"
 *
 * class NoSuchMailbox extends Data.TaggedError("NoSuchMailbox")<{ readonly to: string }> {}
 * export const sendEmail = TaskManager.define("send-email", {
 *   args: Schema.Struct({ to: Schema.String, subject: Schema.String }),
 *   run: ({ to }) => to.endsWith("@invalid") ? Effect.fail(new NoSuchMailbox({ to })) : Effect.log(`Sent to ${to}`),
 *   retry: Schedule.recurs(3).pipe(
 *     Schedule.setInputType<NoSuchMailbox | Errors.TaskTimeout>(),
 *     Schedule.while(({ input }) => input._tag !== "NoSuchMailbox") // retry timeouts only
 *   ),
 *   timeout: "10 seconds",
 *   priority: 10 // taken before the tasks of priority 0, unless `add` says otherwise
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const define = <const Name extends string, Args, I, A, E, R, SI = unknown, EI = unknown, RI = unknown>(
  name: Name,
  options: {
    readonly args: Schema.Codec<Args, I>
    readonly success?: Schema.Codec<A, SI> | undefined
    readonly failure?: Schema.Codec<E, EI> | undefined
    readonly run: (args: Args) => Effect.Effect<A, E, R>
    /** This task's retry Schedule, fed its typed error (or `TaskTimeout`); default: the manager's. */
    readonly retry?: Schedule.Schedule<unknown, RI> | undefined
    /** This task's attempt timeout; default: the manager's. */
    readonly timeout?: Duration.Input | undefined
    /** The priority of its tasks when `add` gives none; default 0. */
    readonly priority?: number | undefined
    /** The most of its tasks that run at once in one manager; default: no limit of its own. */
    readonly concurrency?: number | undefined
  }
): TaskDefinition.Checked<TaskDefinition<Name, A, E, Args, R>, E, RI> =>
  internal.define(name, options) as TaskDefinition.Checked<TaskDefinition<Name, A, E, Args, R>, E, RI>
