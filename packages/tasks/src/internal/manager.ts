import * as Recorder from "@fiberkit/sync/Recorder"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { InvalidOptions, TaskManagerShutDown, TaskNotFound, TaskStoreError, UnknownTask } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import * as TaskStore from "../TaskStore.js"
import { runAttempts } from "./attempts.js"
import { describe, encodeArgs } from "./definitions.js"
import { LocalStore } from "./localStore.js"
import { TaskRecording } from "./recording.js"
import { defaultStoreRetry, supervised } from "./supervision.js"

type Definition = Api.TaskDefinition.Any

/** Published after the last outcome, when the manager shuts down: the results streams end there. */
const End = Symbol.for("@fiberkit/tasks/TaskManager/End")

const untilEnd = (stream: Stream.Stream<Api.TaskResult | typeof End>): Stream.Stream<Api.TaskResult> =>
  Stream.takeWhile(stream, (item): item is Api.TaskResult => item !== End)

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
class Manager<T extends Definition> {
  private readonly definitions = new Map<string, Definition>()
  private readonly running = new Map<string, { fiber: Fiber.RuntimeFiber<unknown, unknown>; cancelled: boolean }>()
  private unfinished = 0
  private readonly idle = new Set<() => void>()
  private closed = false
  private stopping = false
  private ended = false
  workers: Array<Fiber.RuntimeFiber<never, unknown>> = []
  private readonly recording: TaskRecording | undefined
  private readonly storeRetry: Schedule.Schedule<unknown, TaskStoreError>
  /** Tasks whose outcome was published but never stored: the store's last error, by task id. */
  private readonly unrecorded = new Map<string, TaskStoreError>()

  constructor(
    private readonly store: TaskStore.TaskStore,
    readonly pubsub: PubSub.PubSub<Api.TaskResult | typeof End>,
    private readonly context: Context.Context<unknown>,
    private readonly options: Api.TaskManager.Options<T>,
    recorder: Recorder.Recorder | undefined
  ) {
    for (const task of options.tasks) this.definitions.set(task.name, task)
    this.storeRetry = options.storeRetry ?? defaultStoreRetry
    this.recording = recorder === undefined
      ? undefined
      : new TaskRecording(recorder, Recorder.groupName("TaskManager", options.name))
  }

  counted(n: number): void {
    this.unfinished += n
    if (this.unfinished === 0) {
      for (const wake of this.idle) wake()
      this.idle.clear()
    }
  }

  readonly add = (
    task: T | string,
    args: unknown,
    options?: Api.TaskManager.AddOptions
  ): Effect.Effect<string, Api.TaskManager.AddError> =>
    Effect.map(this.addTasks(task, [args], options?.id), (ids) => ids[0]!)

  readonly addAll = (
    task: T | string,
    all: Iterable<unknown>
  ): Effect.Effect<Array<string>, Api.TaskManager.AddError> => this.addTasks(task, Array.from(all), undefined)

  /** Stores the tasks, all or nothing; one whose id the store holds already is not added again. */
  private addTasks(
    task: T | string,
    all: ReadonlyArray<unknown>,
    id: string | undefined
  ): Effect.Effect<Array<string>, Api.TaskManager.AddError> {
    return Effect.suspend((): Effect.Effect<Array<string>, Api.TaskManager.AddError> => {
      if (this.closed) return Effect.fail(new TaskManagerShutDown())
      return Effect.flatMap(
        encodeArgs(this.definitions, task, all),
        ({ encoded, name }) =>
          Effect.flatMap(Clock.currentTimeMillis, (addedAt) => {
            const tasks = encoded.map((args) => ({ id: id ?? crypto.randomUUID() as string, name, args, addedAt }))
            return Effect.as(
              Effect.flatMap(this.store.add(tasks), (added) => Effect.sync(() => this.counted(added))),
              tasks.map((t) => t.id)
            )
          })
      )
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

  readonly join: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.unfinished === 0) return resume(Effect.void)
    const wake = () => resume(Effect.void)
    this.idle.add(wake)
    return Effect.sync(() => {
      this.idle.delete(wake)
    })
  })

  readonly cancel = (id: string): Effect.Effect<boolean, TaskNotFound | TaskStoreError> =>
    Effect.suspend(() => {
      // shut down: the results streams have ended, and a queued task stays queued (in a durable
      // store, for the next start)
      if (this.ended) return Effect.succeed(false)
      const running = this.running.get(id)
      if (running !== undefined) {
        running.cancelled = true
        // the worker records the cancellation when the task has stopped
        return Effect.as(Fiber.interrupt(running.fiber), true)
      }
      // read first: once the store has cancelled it, nothing may fail before it is published
      return Effect.flatMap(this.store.get(id), (found): Effect.Effect<boolean, TaskNotFound | TaskStoreError> => {
        if (Option.isNone(found)) return Effect.fail(new TaskNotFound({ id }))
        const record = found.value
        return Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.flatMap(this.store.cancel(id, now), (cancelled) =>
            cancelled
              ? Effect.as(
                this.publish({
                  id,
                  name: record.name,
                  state: "cancelled",
                  attempts: record.attempts,
                  addedAt: record.addedAt,
                  startedAt: undefined,
                  finishedAt: now
                }),
                true
              )
              : Effect.succeed(false)))
      })
    }).pipe(Effect.uninterruptible)

  private publish(result: Api.TaskResult): Effect.Effect<void> {
    return Effect.zipRight(PubSub.publish(this.pubsub, result), Effect.sync(() => this.counted(-1)))
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
          (record) => this.stopping ? this.release(record.id) : this.runTask(record, slot)
        )
      )
    )
    return Effect.forever(Effect.catchAllCause(once, (cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause)
        : Effect.logError(`TaskManager worker ${slot} failed; it goes on`, cause)))
  }

  /**
   * The next task. The store's take is called uninterruptibly: only its wait is interruptible,
   * and the task it returns is this worker's with no gap in between. A take that fails is tried
   * again for as long as it fails (on `storeRetry`, then on `storeRetry` again): the tasks stay
   * queued meanwhile, and the waits between tries are interruptible.
   */
  private take(restore: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>) {
    const take = supervised({ schedule: this.storeRetry, operation: "take", restore }, this.store.take)
    const loop: Effect.Effect<TaskStore.TaskRecord> = Effect.catchAll(take, () => loop)
    return loop
  }

  /** A stopped task goes back to the queue; if the store keeps failing, it stays running there. */
  private release(id: string): Effect.Effect<void> {
    return Effect.ignore(
      supervised({ schedule: this.storeRetry, operation: "release", taskId: id }, this.store.release(id))
    )
  }

  /** Stores a task's outcome, then publishes it: once, whether or not the store took it in the end. */
  private finish(outcome: TaskStore.Outcome, result: Api.TaskResult): Effect.Effect<void> {
    const id = result.id
    const stored = Effect.catchAll(
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
    return Effect.zipRight(stored, this.publish(result))
  }

  private runTask(record: TaskStore.TaskRecord, slot: number): Effect.Effect<void> {
    const definition = this.definitions.get(record.name)
    const recording = this.recording
    const taken = recording === undefined ? undefined : recording.taken(record)
    const finish = (
      state: "succeeded" | "failed" | "cancelled",
      extra: {
        readonly value?: unknown
        readonly error?: unknown
        readonly text?: string | undefined
        readonly attempts: number
        readonly startedAt: number
      }
    ) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        this.finish({ state, at: now, error: extra.text }, {
          id: record.id,
          name: record.name,
          state,
          ...(extra.value === undefined ? {} : { value: extra.value }),
          ...(extra.error === undefined ? {} : { error: extra.error }),
          attempts: extra.attempts,
          addedAt: record.addedAt,
          startedAt: extra.startedAt,
          finishedAt: now
        }))
    const startedAt = record.startedAt ?? 0
    if (definition === undefined) {
      const error = new UnknownTask({ task: record.name })
      if (recording !== undefined && taken !== undefined) recording.record(record, slot, taken, Exit.fail(error))
      return finish("failed", { error, text: error.message, attempts: record.attempts, startedAt })
    }
    const attempts = { count: record.attempts, startedAt }
    const body = runAttempts({
      record,
      slot,
      definition,
      context: this.context,
      timeout: this.options.timeout,
      retry: this.options.retry,
      recording: recording === undefined || taken === undefined ? undefined : { recording, taken },
      attempts,
      // a store that keeps failing misses this attempt's start; the attempt runs all the same
      attempted: (now, error) =>
        Effect.ignore(supervised(
          { schedule: this.storeRetry, operation: "attempt", taskId: record.id },
          this.store.attempt(record.id, now, error)
        ))
    })
    // forked interruptible: the worker is not, and a child would inherit that
    return Effect.flatMap(Effect.forkDaemon(Effect.interruptible(body)), (fiber) => {
      const entry = { fiber: fiber as Fiber.RuntimeFiber<unknown, unknown>, cancelled: false }
      this.running.set(record.id, entry)
      return Effect.flatMap(Fiber.await(fiber), (exit) => {
        this.running.delete(record.id)
        const done = { attempts: attempts.count, startedAt: attempts.startedAt }
        if (Exit.isSuccess(exit)) return finish("succeeded", { ...done, value: exit.value })
        if (Cause.isInterruptedOnly(exit.cause)) {
          if (entry.cancelled) return finish("cancelled", done)
          // stopped by a shutdown without drain: back to the queue, to run again
          return this.release(record.id)
        }
        const failure = Cause.failureOption(exit.cause)
        const error = Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
        return finish("failed", { ...done, error, text: describe(exit.cause) })
      })
    })
  }

  readonly shutdown = (options?: { readonly drain?: boolean | undefined }): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      // the workers end, then the results streams: after every outcome, an end mark (shutting
      // the PubSub down instead would drop outcomes a subscriber has not taken yet)
      const stopWorkers = Effect.zipRight(
        Effect.suspend(() => Fiber.interruptAll(this.workers)),
        Effect.suspend(() => {
          if (this.ended) return Effect.void
          this.ended = true
          return PubSub.publish(this.pubsub, End)
        })
      )
      if (options?.drain === true && !this.stopping) return Effect.zipRight(this.join, stopWorkers)
      this.stopping = true
      const running = [...this.running.values()].map((entry) => entry.fiber)
      // the tasks stop (each worker puts its task back in the queue), then the workers
      return Effect.zipRight(Effect.forEach(running, Fiber.interrupt, { discard: true }), stopWorkers)
    })
}

/** @internal */
export const defaults = { workers: 4, storeRetry: defaultStoreRetry }

/** @internal */
export const make = <T extends Definition>(
  options: Api.TaskManager.Options<T>
): Effect.Effect<
  Api.TaskManager<T>,
  InvalidOptions | TaskStoreError,
  Scope.Scope | Api.TaskDefinition.Context<T>
> =>
  Effect.gen(function*() {
    const store: TaskStore.TaskStore = options.store ??
      Option.getOrElse(yield* Effect.serviceOption(TaskStore.TaskStore), () => new LocalStore(undefined))
    // a store that runs tasks itself (BullMQ) makes the whole manager
    if (store.engine !== undefined) return yield* store.engine.make(options)
    const workers = options.workers ?? defaults.workers
    if (!Number.isSafeInteger(workers) || workers < 1) {
      return yield* new InvalidOptions({
        operation: "TaskManager.make",
        field: "workers",
        expected: "an integer ≥ 1",
        value: workers
      })
    }
    const pubsub = yield* PubSub.unbounded<Api.TaskResult | typeof End>()
    const context = yield* Effect.context<Api.TaskDefinition.Context<T>>()
    const manager = new Manager<T>(store, pubsub, context as Context.Context<unknown>, options, yield* Recorder.current)
    const recovered = yield* store.recover
    manager.counted(recovered.length)
    manager.workers = yield* Effect.forEach(
      Array.from({ length: workers }),
      (_, slot) => Effect.forkDaemon(manager.worker(slot)),
      { concurrency: "unbounded" }
    )
    yield* Effect.addFinalizer(() => manager.shutdown({ drain: false }))
    return {
      add: manager.add as Api.TaskManager<T>["add"],
      addAll: manager.addAll as Api.TaskManager<T>["addAll"],
      status: manager.status,
      results: untilEnd(Stream.fromPubSub(pubsub)),
      subscribe: Effect.map(Stream.fromPubSub(pubsub, { scoped: true }), untilEnd),
      join: manager.join,
      cancel: manager.cancel,
      shutdown: manager.shutdown
    }
  })
