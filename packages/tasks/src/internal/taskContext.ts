import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../TaskContext.js"

/** The task the current fiber runs an attempt of; `undefined` outside a task. @internal */
export const currentTask: Context.Reference<Api.TaskContext | undefined> = Context.Reference<
  Api.TaskContext | undefined
>("@fiberkit/tasks/TaskContext/currentTask", { defaultValue: () => undefined })

/**
 * A task's progress writes, coalesced: a report made while a write is in flight only replaces the
 * value that write's successor writes, so a task that reports in a tight loop costs one write at a
 * time, and the last value reported is the one written last. The writes run uninterruptibly (a
 * reporter interrupted mid-write leaves no write half-done, nor the next one unstarted); a write
 * that fails is logged by the store's caller and skipped — progress is advice, never a failure of
 * the task.
 *
 * @internal
 */
/** A progress value out of range, as `InvalidOptions`; `undefined` if it is a finite number. @internal */
export const invalidProgress = (value: number): InvalidOptions | undefined =>
  typeof value === "number" && Number.isFinite(value)
    ? undefined
    : new InvalidOptions({ operation: "TaskContext.progress", field: "value", expected: "a finite number", value })

export class ProgressReports {
  private latest = 0
  /** Set while a write runs: done when the writes end. */
  private writing: Deferred.Deferred<void> | undefined = undefined
  private closed = false
  /** The last value reported, if any. */
  last: number | undefined = undefined

  constructor(private readonly write: (value: number) => Effect.Effect<void>) {}

  readonly report = (value: number): Effect.Effect<void, InvalidOptions> =>
    Effect.suspend(() => {
      const invalid = invalidProgress(value)
      if (invalid !== undefined) return Effect.fail(invalid)
      // after its task: a fiber that outlived the task reports to no one
      if (this.closed) return Effect.void
      this.latest = value
      this.last = value
      if (this.writing !== undefined) return Effect.void
      this.writing = Deferred.makeUnsafe<void>()
      return Effect.uninterruptible(this.drain)
    })

  private readonly drain: Effect.Effect<void> = Effect.suspend(() => {
    const value = this.latest
    return Effect.flatMap(this.write(value), () => {
      if (this.latest === value) {
        const writing = this.writing!
        this.writing = undefined
        return Deferred.succeed(writing, undefined)
      }
      return this.drain
    })
  })

  /** The task has ended: later reports are dropped; a write under way ends first (none lands after the outcome). */
  readonly close: Effect.Effect<void> = Effect.suspend(() => {
    this.closed = true
    return this.writing === undefined ? Effect.void : Deferred.await(this.writing)
  })
}

/** The context of one attempt of a task. @internal */
export const taskContext = (
  id: string,
  name: string,
  attempt: number,
  reports: ProgressReports
): Api.TaskContext => ({ id, name, attempt, progress: reports.report })

/** @internal */
export const progress = (value: number): Effect.Effect<void, InvalidOptions> =>
  Effect.flatMap(Effect.service(currentTask), (task) => {
    // checked outside a task too: a mistake shows in a test run without a manager
    const invalid = invalidProgress(value)
    if (invalid !== undefined) return Effect.fail(invalid)
    return task === undefined ? Effect.void : task.progress(value)
  })
