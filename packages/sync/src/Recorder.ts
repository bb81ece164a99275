/**
 * The hook through which fiberkit's pools, task managers and limiters report each task they
 * run: when it was queued, when it started, when it ended, how, and on which worker or lane.
 * `@fiberkit/observe`'s `Timeline` installs a recorder; without one nothing is recorded, and a
 * primitive made without one pays a single check per task.
 *
 * A primitive looks up the recorder once, when it is made, so the recorder in force where a pool
 * or limiter is constructed is the one it reports to.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { processGlobal } from "./internal/processGlobal.js"

/**
 * How a task ended.
 *
 * **Example**
 *
 * ```ts
 * import { Exit } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * const outcome: Recorder.Outcome = Recorder.outcomeOf(Exit.fail("boom")) // "failure"
 * const colour = outcome === "success" ? "green" : outcome === "failure" ? "red" : "amber"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Outcome = "success" | "failure" | "interrupted"

/**
 * One task, as a primitive saw it. Times are milliseconds on the recorder's clock (`now`).
 *
 * **Example**
 *
 * ```ts
 * import type { Recorder } from "@fiberkit/sync"
 *
 * // how long a task waited for a worker, how long it ran, and where
 * const timings = (task: Recorder.TaskRecord) => ({
 *   waited: task.startedAt - task.queuedAt,
 *   ran: task.endedAt - task.startedAt,
 *   where: `${task.source} ${task.group} · ${task.lane ?? "no lane"}`
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskRecord {
  /** What ran it: `"FiberPool"`, `"WorkerPool"`, `"TaskManager"`, `"RateLimiter"`, `"monitored"` … */
  readonly source: string
  /** Which one of them: a name given by the user, or a number. */
  readonly group: string
  /** The worker or lane it ran on, or `undefined` when it has none (a renderer packs it into a free row). */
  readonly lane: string | undefined
  /** The task: its name, or its number. */
  readonly label: string
  /** When it was submitted: from here to `startedAt` it waited for a worker, a slot or a permit. */
  readonly queuedAt: number
  readonly startedAt: number
  readonly endedAt: number
  readonly outcome: Outcome
}

/**
 * Where records go. `record` is called synchronously, once per task, when the task ends.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * // a recorder that logs the tasks that failed
 * const failures: Recorder.Recorder = {
 *   now: () => performance.now(),
 *   record: (task) => {
 *     if (task.outcome === "failure") console.error(`${task.label} failed on ${task.lane}`)
 *   }
 * }
 * const program = Effect.provideService(Effect.void, Recorder.currentRecorder, failures)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Recorder {
  /** The current time in milliseconds (fractional), on the clock the recorder was made with. */
  readonly now: () => number
  /** Takes the record of a task that has just ended. */
  readonly record: (task: TaskRecord) => void
}

/**
 * The recorder in force: `undefined` (the default) records nothing.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * const records: Array<Recorder.TaskRecord> = []
 * const program = Effect.provideService(Effect.void, Recorder.currentRecorder, {
 *   now: () => performance.now(),
 *   record: (r) => records.push(r)
 * })
 * ```
 *
 * @since 0.1.0
 * @category references
 */
export const currentRecorder: Context.Reference<Recorder | undefined> = Context.Reference<Recorder | undefined>(
  "@fiberkit/sync/Recorder/currentRecorder",
  { defaultValue: () => undefined }
)

/**
 * The recorder in force, read once by a primitive when it is made.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * const program = Effect.map(Recorder.current, (recorder) => recorder !== undefined)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const current: Effect.Effect<Recorder | undefined> = Effect.service(currentRecorder)

/**
 * The outcome of an exit: interrupted only when interruption is all that happened.
 *
 * **Example**
 *
 * ```ts
 * import { Exit } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * Recorder.outcomeOf(Exit.succeed(1)) // "success"
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Outcome =>
  Exit.isSuccess(exit) ? "success" : Cause.hasInterruptsOnly(exit.cause) ? "interrupted" : "failure"

/**
 * `recorder`, also passing every record to `previous` (the recorder in force where `recorder`
 * is installed, if any): a Timeline inside a dashboard, or a dashboard inside a Timeline, both get
 * every task. Times are `recorder`'s.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * const mine: Recorder.Recorder = { now: () => performance.now(), record: (task) => console.log(task.label) }
 * // installed without hiding the recorder already in force
 * const program = Effect.flatMap(Recorder.current, (previous) =>
 *   Effect.provideService(Effect.void, Recorder.currentRecorder, Recorder.alongside(mine, previous)))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const alongside = (recorder: Recorder, previous: Recorder | undefined): Recorder =>
  previous === undefined || previous === recorder ? recorder : {
    now: recorder.now,
    record: (task) => {
      recorder.record(task)
      previous.record(task)
    }
  }

// the clock every context has unless one is provided (a TestClock, say)
const liveClock = Context.get(Context.empty(), Clock.Clock)

/**
 * A recorder's `now` on `clock`, in milliseconds: the live clock's as `performance.now()`
 * (fractional, and a quarter of the cost of its `currentTimeNanos`, which builds a BigInt), any
 * other's (a TestClock) as it tells them.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * const records: Array<Recorder.TaskRecord> = []
 * const recorder = Effect.clockWith((clock) =>
 *   Effect.succeed<Recorder.Recorder>({ now: Recorder.nowOf(clock), record: (task) => records.push(task) })
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const nowOf = (clock: Clock.Clock): () => number =>
  clock === liveClock ? () => performance.now() : () => clock.currentTimeMillisUnsafe()

// one numbering per process, shared by every loaded copy of the package
const groupNumbers = processGlobal("@fiberkit/sync/Recorder/groupNumbers", () => new Map<string, number>())

/**
 * The group name of a primitive made under a recorder: `name` if given, else its number among
 * the primitives of its `source` made so far (`"1"`, `"2"` …). An effect: naming a group takes
 * the next number (before 1.0 it was a plain function that did so when called).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Recorder } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const first = yield* Recorder.groupName("FiberPool", undefined) // "1"
 *   const named = yield* Recorder.groupName("FiberPool", "images") // "images"
 *   return [first, named]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const groupName = (source: string, name: string | undefined): Effect.Effect<string> =>
  Effect.sync(() => {
    if (name !== undefined) return name
    const number = (groupNumbers.get(source) ?? 0) + 1
    groupNumbers.set(source, number)
    return String(number)
  })
