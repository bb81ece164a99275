import type * as Recorder from "@fiberkit/sync/Recorder"
import type * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import {
  TaskDefect,
  TaskInterrupted,
  TaskManagerShutDown,
  TaskNotFound,
  TaskStoreError,
  UnknownTask
} from "../Errors.js"
import type * as Api from "../TaskManager.js"
import type { TaskResult } from "../TaskResult.js"
import type * as TaskStore from "../TaskStore.js"
import { runAttempts } from "./attempts.js"
import { cancelTask, holderOf } from "./cancel.js"
import { storeTasks } from "./dedupe.js"
import { DefinitionLimits } from "./definitionLimits.js"
import { describe, newTasks } from "./definitions.js"
import { Ends, type Held } from "./ends.js"
import { Joins } from "./joins.js"
import { type Holder, LocalQueue } from "./localQueue.js"
import { manyOptions } from "./options.js"
import type { Outcomes } from "./outcomes.js"
import { TaskRecording } from "./recording.js"
import * as Replays from "./replays.js"
import { defaultStoreRetry, supervised } from "./supervision.js"
import { ProgressReports } from "./taskContext.js"
import { TaskMetrics } from "./taskMetrics.js"
import { producing } from "./taskTrace.js"

type Definition = Api.TaskDefinition.Any

/**
 * Workers take tasks from the store, each runs its task in a child fiber (so `cancel` and a
 * shutdown interrupt the task, never the worker), and records the outcome — in the store first,
 * then on `results`. A worker is interruptible only while it waits for a task (or between two
 * tries of a take): a task's outcome is always written once it ended. Under a recorder, each
 * attempt is recorded when it ends.
 *
 * Workers are supervised: a store operation that fails is logged and tried again on `storeRetry`
 * (`supervised`), and a worker never ends while its manager runs. An outcome is published once,
 * after the store took it; if the store still fails when `storeRetry` ends, it is published all
 * the same (so that `join` and a drained shutdown end) and `status` fails with the store's error.
 */
export class Manager<T extends Definition> {
  readonly definitions = new Map<string, Definition>()
  /** The definitions' `concurrency` in this manager; `undefined` if none has one. */
  private readonly limits: DefinitionLimits | undefined
  /** Stops the schedules (a shutdown stops them first). */
  stopSchedules: Effect.Effect<void> = Effect.void
  /** The tasks the workers hold, and what cancels wait for. */
  private readonly ends = new Ends()
  /** Its metrics (`Telemetry`), when they are on. */
  readonly metrics: TaskMetrics | undefined
  /** This manager as the others on its local store see it (see `Holder`). */
  readonly holder: Holder = holderOf(this.ends)
  /** What `join` waits for. */
  readonly joins: Joins
  private closed = false
  private stopping = false
  workers: Array<Fiber.Fiber<never, unknown>> = []
  private readonly recording: TaskRecording | undefined
  private readonly storeRetry: Schedule.Schedule<unknown, TaskStoreError>
  /** Tasks whose outcome was published but never stored: the store's last error, by task id. */
  private readonly unrecorded = new Map<string, TaskStoreError>()

  constructor(
    private readonly store: TaskStore.TaskStore,
    readonly outcomes: Outcomes,
    private readonly context: Context.Context<unknown>,
    private readonly options: Api.TaskManager.Options<T>,
    recording: { readonly recorder: Recorder.Recorder; readonly group: string } | undefined,
    instrument: Telemetry.Instrument | undefined
  ) {
    this.metrics = TaskMetrics.of(instrument)
    for (const task of options.tasks) this.definitions.set(task.name, task)
    this.limits = DefinitionLimits.of(options.tasks)
    this.joins = new Joins(this.ends, store instanceof LocalQueue ? store : undefined)
    const shared = store instanceof LocalQueue ? store : undefined
    this.cancel = cancelTask({
      store,
      ends: this.ends,
      outcomes,
      publish: (result) => this.publish(result),
      others: () => shared === undefined ? [] : [...shared.holders].filter((other) => other !== this.holder)
    })
    this.storeRetry = options.storeRetry ?? defaultStoreRetry
    this.recording = recording === undefined ? undefined : new TaskRecording(recording.recorder, recording.group)
  }

  readonly add = (
    task: T | string,
    args: unknown,
    options?: Api.TaskManager.AddOptions
  ): Effect.Effect<string, Api.TaskManager.AddError> =>
    Effect.map(this.addTasks(task, [args], options), (ids) => ids[0]!)

  readonly addAll = (
    task: T | string,
    all: Iterable<unknown>,
    options?: Api.TaskManager.AddAllOptions
  ): Effect.Effect<Array<string>, Api.TaskManager.AddError> =>
    this.addTasks(task, Array.from(all), manyOptions(options))

  /** Dead letters, replayed as `Replays.localReplay` says. */
  private readonly replays: Replays.ReplayOps = {
    list: (filter) => this.store.list(filter),
    get: (id) => this.store.get(id),
    replay: (id) =>
      Replays.localReplay(id, {
        store: this.store,
        closed: () => this.closed,
        joins: this.joins,
        ends: this.ends,
        metrics: this.metrics
      })
  }

  /** `list`, `retry`, `retryAll`. */
  readonly deadLetters = Replays.operations(this.replays, () => this.closed)

  /**
   * Stores the tasks, all or nothing; one whose id the store holds already is not added again.
   * The tasks count as unfinished from the step that found the manager open: a drained
   * shutdown that starts while they are being written waits for them (and runs them).
   */
  private addTasks(
    task: T | string,
    all: ReadonlyArray<unknown>,
    options: Api.TaskManager.AddOptions | undefined
  ): Effect.Effect<Array<string>, Api.TaskManager.AddError> {
    return Effect.suspend((): Effect.Effect<Array<string>, Api.TaskManager.AddError> => {
      if (this.closed) return Effect.fail(new TaskManagerShutDown())
      const provisional = all.length
      this.joins.count(provisional)
      let added = 0
      return producing(
        typeof task === "string" ? task : task.name,
        (trace) =>
          Effect.flatMap(
            newTasks(this.definitions, task, all, options, trace),
            (tasks) =>
              Effect.map(storeTasks(this.store, tasks, options), (stored) => {
                added = stored.added
                this.metrics?.added(tasks[0]?.name ?? "", stored.added)
                return stored.ids
              })
          )
      ).pipe(Effect.ensuring(Effect.sync(() => this.joins.written(added, provisional))))
    }).pipe(Effect.uninterruptible)
  }

  readonly status = (id: string): Effect.Effect<TaskStore.TaskRecord, TaskNotFound | TaskStoreError> =>
    Effect.suspend(() => {
      // the store holds it as running: what it holds is not the task's state
      const unrecorded = this.unrecorded.get(id)
      if (unrecorded !== undefined) return Effect.fail(unrecorded)
      return Effect.flatMap(
        this.store.get(id),
        Option.match({
          onNone: () => Effect.fail(new TaskNotFound({ id })),
          onSome: Effect.succeed
        })
      )
    })

  readonly join: Effect.Effect<void, TaskManagerShutDown> = Effect.suspend(() => this.joins.join)

  /**
   * Cancels a task and says, once it is over, whether it ended cancelled (see `cancel.ts`).
   */
  readonly cancel: (id: string) => Effect.Effect<boolean, TaskNotFound | TaskStoreError>

  /** Publishes a task's outcome; it has ended. */
  private publish(result: TaskResult): Effect.Effect<void> {
    return Effect.andThen(
      this.outcomes.publish(result),
      Effect.sync(() => {
        this.metrics?.ended(result.name, result.state, this.ends.held.has(result.id), result)
        this.ends.ended(result.id, result.state as TaskStore.TaskState)
        this.joins.published()
      })
    )
  }

  /**
   * Worker number `slot`: takes a task, runs it to its end, records it; again. Uninterruptible but
   * for its waits; an unexpected defect is logged and the worker goes on.
   */
  worker(slot: number): Effect.Effect<never> {
    const once = Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() =>
        // a stopping manager starts nothing more: a task put back by the stop stays queued
        this.stopping ? Effect.interrupt : Effect.flatMap(
          this.take(restore),
          // held from this step on: a cancel finds it here, or has asked for it already
          (record) =>
            Effect.ensuring(
              this.stopping
                ? this.release(record.id, record.name, true)
                : this.runTask(record, slot, this.ends.hold(record.id)),
              this.freed(record.name)
            )
        )
      )
    )
    // no yield per task (`forever`'s default); it still yields on its op budget, waits in `take`
    const failed = (cause: Cause.Cause<never>) =>
      Cause.hasInterruptsOnly(cause)
        ? Effect.failCause(cause)
        : Effect.logError(`TaskManager worker ${slot} failed; it goes on`, cause)
    return Effect.forever(Effect.catchCause(once, failed), { disableYield: true })
  }

  /**
   * The next task. The store's take is called uninterruptibly: only its wait is interruptible,
   * and the task it returns is this worker's with no gap in between. A take that fails is tried
   * again for as long as it fails (on `storeRetry`, then on `storeRetry` again): the tasks stay
   * queued meanwhile, and the waits between tries are interruptible.
   */
  private take(restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) {
    const limits = this.limits
    const take = supervised(
      { schedule: this.storeRetry, operation: "take", restore },
      limits === undefined ? this.store.take : this.store.takeAdmitted(limits)
    )
    const loop: Effect.Effect<TaskStore.TaskRecord> = Effect.catch(take, () => loop)
    return loop
  }

  /** A task of `name` taken by a worker here is over: a definition at its limit takes again. */
  private freed(name: string): Effect.Effect<void> {
    return Effect.suspend(() => this.limits?.ended(name) === true ? this.store.reconsider : Effect.void)
  }

  /**
   * A stopped task goes back to the queue (`unstarted`: its attempt had not started); if the
   * store keeps failing, it stays running there.
   */
  private release(id: string, name: string, unstarted = false): Effect.Effect<void> {
    // (a task stopped before it started was never counted as taken)
    if (!unstarted) this.metrics?.putBack(name)
    return Effect.ignore(
      supervised({ schedule: this.storeRetry, operation: "release", taskId: id }, this.store.release(id, unstarted))
    ).pipe(Effect.ensuring(Effect.sync(() => this.ends.ended(id, "queued"))))
  }

  /** Stores a task's outcome, then publishes it: once, whether or not the store took it in the end. */
  private finish(outcome: TaskStore.Outcome, result: TaskResult): Effect.Effect<void> {
    const id = result.id
    const stored = Effect.catch(
      supervised({ schedule: this.storeRetry, operation: "finish", taskId: id }, this.store.finish(id, outcome)),
      (error) =>
        Effect.sync(() => {
          this.unrecorded.set(
            id,
            new TaskStoreError({ operation: `record that task ${id} ${outcome.state}`, cause: error })
          )
          if (this.unrecorded.size > 10_000) this.unrecorded.delete(this.unrecorded.keys().next().value!)
        })
    )
    return Effect.andThen(stored, this.publish(result))
  }

  private runTask(record: TaskStore.TaskRecord, slot: number, held: Held): Effect.Effect<void> {
    const definition = this.definitions.get(record.name)
    this.metrics?.taken(record)
    const recording = this.recording
    const taken = recording === undefined ? undefined : recording.taken(record)
    // a store that fails to write a report loses that report only
    const reports = new ProgressReports((value) => Effect.ignore(this.store.progress(record.id, value)))
    const finish = (
      state: "succeeded" | "failed" | "cancelled",
      extra: {
        readonly value?: unknown
        readonly error?: unknown
        readonly text?: string | undefined
        readonly attempts: number
        readonly startedAt: number | undefined
        readonly unstarted?: boolean
      }
    ) =>
      Effect.flatMap(
        Clock.currentTimeMillis,
        (now) =>
          this.finish(
            { state, at: now, error: extra.text, unstarted: extra.unstarted },
            {
              id: record.id,
              name: record.name,
              state,
              ...(state === "succeeded" ? { value: extra.value } : {}),
              ...(state === "failed" ? { error: extra.error } : {}),
              attempts: extra.attempts,
              addedAt: record.addedAt,
              startedAt: extra.startedAt,
              finishedAt: now,
              progress: reports.last ?? record.progress
            } as TaskResult
          )
      )
    const startedAt = record.startedAt ?? 0
    if (definition === undefined) {
      const error = new UnknownTask({ task: record.name })
      if (recording !== undefined && taken !== undefined) recording.record(record, slot, taken, Exit.fail(error))
      return finish("failed", { error, text: error.message, attempts: record.attempts, startedAt })
    }
    const attempts = { count: record.attempts, startedAt }
    const body = runAttempts({
      reports,
      record,
      slot,
      definition,
      context: this.context,
      // the definition's own, else the manager's; `define` typed a definition's retry for its errors
      timeout: definition.timeout ?? this.options.timeout,
      retry: (definition.retry ?? this.options.retry) as Schedule.Schedule<unknown, unknown> | undefined,
      recording: recording === undefined || taken === undefined ? undefined : { recording, taken },
      attempts,
      // a store that keeps failing misses this failure or this attempt's start; the task goes on
      failed: (error) =>
        Effect.ignore(supervised(
          { schedule: this.storeRetry, operation: "failed", taskId: record.id },
          this.store.failed(record.id, error)
        )),
      attempted: (now) =>
        Effect.ignore(supervised(
          { schedule: this.storeRetry, operation: "attempt", taskId: record.id },
          this.store.attempt(record.id, now)
        ))
    })
    // cancelled on its way from the store: it never starts, and the take's attempt is not one
    if (held.cancelled) {
      return finish("cancelled", { attempts: record.attempts - 1, startedAt: undefined, unstarted: true })
    }
    // forked interruptible: the worker is not (on Effect 4 a child would not inherit that anyway)
    return Effect.flatMap(Effect.forkDetach(Effect.interruptible(Effect.ensuring(body, reports.close))), (fiber) => {
      held.fiber = fiber as Fiber.Fiber<unknown, unknown>
      // a cancel that came while it was forked
      if (held.cancelled) fiber.interruptUnsafe()
      return Effect.flatMap(Fiber.await(fiber), (exit) => {
        const done = { attempts: attempts.count, startedAt: attempts.startedAt }
        if (Exit.isSuccess(exit)) return finish("succeeded", { ...done, value: exit.value })
        if (Cause.hasInterruptsOnly(exit.cause)) {
          if (held.cancelled) return finish("cancelled", done)
          // stopped by a shutdown without drain: back to the queue, to run again
          if (this.stopping) return this.release(record.id, record.name)
          // interrupted by itself: it fails, once (put back, it would be taken again at once)
          const error = new TaskInterrupted({ id: record.id, attempt: attempts.count })
          return finish("failed", { ...done, error, text: error.message })
        }
        const failure = Cause.findErrorOption(exit.cause)
        // a typed failure is the task's own; a defect is wrapped, so that every failure is typed
        const error = Option.isSome(failure)
          ? failure.value
          : new TaskDefect({ id: record.id, defect: Cause.squash(exit.cause) })
        return finish("failed", { ...done, error, text: describe(exit.cause) })
      })
    })
  }

  readonly shutdown = (options?: { readonly drain?: boolean | undefined }): Effect.Effect<void> =>
    Effect.andThen(Effect.suspend(() => this.stopSchedules), () => {
      this.closed = true
      // the workers end, then the cancels in flight, then the results streams: after every
      // outcome, an end mark (shutting the PubSub down instead would drop outcomes a subscriber
      // has not taken yet)
      const stopWorkers = Effect.suspend(() => Fiber.interruptAll(this.workers)).pipe(
        Effect.andThen(Effect.sync(() => this.ends.stopped())),
        Effect.andThen(this.ends.settled),
        Effect.andThen(this.outcomes.end)
      )
      // a drain ends when every task has, or when a shutdown without drain stops the manager
      if (options?.drain === true && !this.stopping) return Effect.andThen(Effect.ignore(this.join), stopWorkers)
      this.stopping = true
      this.joins.stopped = true
      // a join ends now: the tasks left stay queued
      this.joins.wakeIfDone()
      const running: Array<Fiber.Fiber<unknown, unknown>> = []
      for (const held of this.ends.held.values()) if (held.fiber !== undefined) running.push(held.fiber)
      // the tasks stop (each worker puts its task back in the queue), then the workers
      return Effect.andThen(Effect.forEach(running, Fiber.interrupt, { discard: true }), stopWorkers)
    })
}
