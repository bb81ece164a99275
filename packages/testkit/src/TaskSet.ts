/**
 * Random task sets for property tests: `effect/Arbitrary` values of tasks with random durations,
 * failures and interruption points, the effects that play them on the `TestClock`, and the
 * outcome each one must end with.
 *
 * @since 0.1.0
 */
import type * as Arbitrary from "effect/Arbitrary"
import * as Data from "effect/Data"
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as internal from "./internal/taskSet.js"

/**
 * One task of a set. Durations and interruption points are milliseconds of (virtual) time.
 *
 * **Example**
 *
 * ```ts
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * // a task of 100 ms that the test interrupts after 30 ms
 * const spec: TaskSet.TaskSpec = { id: 0, duration: 100, fails: false, interruptAfter: 30 }
 * const task = TaskSet.toEffect(spec) // TaskSet.expectedOutcome(spec) is "interrupted"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskSpec {
  /** Unique within a set: 0, 1, 2, … in order. */
  readonly id: number
  /** How long the task runs once started. */
  readonly duration: number
  /** Whether the task ends with `TaskFailed` instead of succeeding with its `id`. */
  readonly fails: boolean
  /** When set, the test interrupts the task this long after submitting it. */
  readonly interruptAfter: number | undefined
}

/**
 * How a task ended.
 *
 * **Example**
 *
 * ```ts
 * import type { Exit } from "effect"
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * // whether every exit ended as its spec says
 * const asSpecified = (specs: ReadonlyArray<TaskSet.TaskSpec>, exits: ReadonlyArray<Exit.Exit<unknown, unknown>>) =>
 *   specs.every((spec, i) => {
 *     const outcome: TaskSet.Outcome = TaskSet.outcomeOf(exits[i]!)
 *     return outcome === TaskSet.expectedOutcome(spec)
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "success" | "failure" | "interrupted" | "defect"

/**
 * The failure of a task whose spec says `fails`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * // a spec that `fails` fails with TaskFailed, carrying its id
 * const task = TaskSet.toEffect({ id: 7, duration: 10, fails: true, interruptAfter: undefined }).pipe(
 *   Effect.catchTag("TaskFailed", (e) => Effect.succeed(-e.id))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskFailed extends Data.TaggedError("TaskFailed")<{ readonly id: number }> {
  override get message(): string {
    return `task ${this.id} failed (as its spec says)`
  }
}

/**
 * **Example**
 *
 * ```ts
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * // many short tasks that all succeed and run to their end
 * const options: TaskSet.TaskSet.Options = { maxTasks: 50, maxDuration: 100, failures: false, interruptions: false }
 * const sets = TaskSet.arbitrary(options)
 * ```
 *
 * @since 0.1.0
 */
export declare namespace TaskSet {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Fewest tasks in a set. Default: 1. */
    readonly minTasks?: number | undefined
    /** Most tasks in a set. Default: 20. */
    readonly maxTasks?: number | undefined
    /** Longest task duration in ms; durations are drawn from 0 to this. Default: 1000. */
    readonly maxDuration?: number | undefined
    /** Whether tasks may fail. Default: true. */
    readonly failures?: boolean | undefined
    /** Whether tasks may be interrupted. Default: true. */
    readonly interruptions?: boolean | undefined
  }

  /**
   * {@link Options} with every field set.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Defaults {
    readonly minTasks: number
    readonly maxTasks: number
    readonly maxDuration: number
    readonly failures: boolean
    readonly interruptions: boolean
  }
}

/**
 * The defaults of {@link TaskSet.Options}.
 *
 * **Example**
 *
 * ```ts
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * const longer = TaskSet.arbitrary({ maxDuration: TaskSet.defaults.maxDuration * 10 })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defaults: TaskSet.Defaults = internal.defaults

/**
 * An arbitrary of task sets: ids `0 … n-1`, random durations, about one task in four failing and
 * one in four interrupted part-way (when enabled).
 *
 * **Example**
 *
 * ```ts
 * import { it } from "@effect/vitest"
 * import { Effect } from "effect"
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * it.effect.prop("every task ends", [TaskSet.arbitrary({ maxTasks: 10 })], ([tasks]) =>
 *   Effect.gen(function*() {
 *     const exits = yield* TaskSet.run(tasks, (effect) => effect)
 *     // each exit matches TaskSet.expectedOutcome of its spec
 *   }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const arbitrary: (options?: TaskSet.Options) => Arbitrary.Arbitrary<ReadonlyArray<TaskSpec>> = internal.arbitrary

/**
 * The task a spec describes: sleeps `duration`, then succeeds with `id` or fails `TaskFailed`.
 *
 * **Example**
 *
 * ```ts
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * const task = TaskSet.toEffect({ id: 1, duration: 50, fails: false, interruptAfter: undefined })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const toEffect: (spec: TaskSpec) => Effect.Effect<number, TaskFailed> = internal.toEffect

/**
 * Submits every task of a set at once through `submit` (the primitive under test: a pool, a
 * limiter, a lock …), interrupts those with `interruptAfter` at that time after submission,
 * and returns every task's exit, in the order of the set.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * const tasks = [{ id: 0, duration: 10, fails: true, interruptAfter: undefined }]
 * const exits = TaskSet.run(tasks, (task) => Effect.withSpan(task, "under-test"))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const run: <A, E, R>(
  tasks: ReadonlyArray<TaskSpec>,
  submit: (task: Effect.Effect<number, TaskFailed>, spec: TaskSpec) => Effect.Effect<A, E, R>
) => Effect.Effect<ReadonlyArray<Exit.Exit<A, E>>, never, R> = internal.run

/**
 * The outcome a task ends with when it runs directly, without waiting for a start: interrupted
 * when `interruptAfter` comes before the end, else failure or success as `fails` says.
 *
 * **Example**
 *
 * ```ts
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * TaskSet.expectedOutcome({ id: 0, duration: 10, fails: true, interruptAfter: 5 }) // "interrupted"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const expectedOutcome: (spec: TaskSpec) => Outcome = internal.expectedOutcome

/**
 * How an exit ended: success, a typed failure, an interruption, or a defect.
 *
 * **Example**
 *
 * ```ts
 * import { Exit } from "effect"
 * import { TaskSet } from "@fiberkit/testkit"
 *
 * TaskSet.outcomeOf(Exit.fail("boom")) // "failure"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const outcomeOf: (exit: Exit.Exit<unknown, unknown>) => Outcome = internal.outcomeOf
