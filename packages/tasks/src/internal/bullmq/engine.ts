import * as Telemetry from "@fiberkit/sync/Telemetry"
import { QueueEvents, Worker } from "bullmq"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Redis } from "ioredis"
import type { InvalidOptions } from "../../Errors.js"
import { TaskManagerShutDown, TaskNotFound, type TaskStoreError } from "../../Errors.js"
import type * as Api from "../../TaskManager.js"
import type * as TaskStore from "../../TaskStore.js"
import { storeTasks } from "../dedupe.js"
import { describe, newTasks } from "../definitions.js"
import { defaults, invalidOptions, manyOptions } from "../options.js"
import { Outcomes } from "../outcomes.js"
import * as Replays from "../replays.js"
import { startSchedules } from "../scheduler.js"
import { TaskMetrics } from "../taskMetrics.js"
import { producing } from "../taskTrace.js"
import { EventBuffer, Overflow } from "./events.js"
import { toJobId } from "./jobIds.js"
import { Processor, STOP } from "./processor.js"
import { resultOf, unreadable } from "./results.js"
import { failQueued, markCancelled } from "./scripts.js"
import { type BullStore, type JobData, queuedStates, tryRedis } from "./store.js"

type Definition = Api.TaskDefinition.Any

/** How often a cancel of a running task looks whether the task has ended. */
const endPoll = Duration.millis(20)

/** How an outcome that cannot be read (Redis away, a job it cannot parse) is read again: 5 seconds. */
const readRetry = Schedule.max([Schedule.spaced("100 millis"), Schedule.recurs(50)])

/**
 * The TaskManager on BullMQ. Adding writes a job (the task id is the job id); this process's
 * `concurrency` fibers run jobs as a BullMQ Worker's concurrency; outcomes come from the queue's event
 * stream, so `results` sees the tasks that every process ran.
 */
class RemoteManager<T extends Definition> {
  readonly definitions = new Map<string, Definition>()
  /** Stops the schedules (a shutdown stops them first). */
  stopSchedules: Effect.Effect<void> = Effect.void
  private closed = false
  private stopped: Deferred.Deferred<void> | undefined
  /** A shutdown without drain was asked for, or a shutdown is over: `join` no longer waits. */
  private halted = false
  /** Adds being written: a drained shutdown (and `join`) waits for them. */
  private adding = 0
  readonly processor: Processor
  readonly id = crypto.randomUUID()
  /** Whether this manager reads the event stream (from its first subscriber on). */
  listening = false

  constructor(
    readonly store: BullStore,
    readonly options: Api.TaskManager.Options<T>,
    readonly context: Context.Context<unknown>,
    readonly outcomes: Outcomes,
    readonly ended: Deferred.Deferred<void>
  ) {
    for (const task of options.tasks) this.definitions.set(task.name, task)
    this.processor = new Processor(store, this.definitions, options, context)
    this.deadLetters = Replays.operations(Replays.counted(store, () => this.processor.metrics), () => this.closed)
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

  /** Dead letters, in Redis: any process may list and replay them. */
  /** `list`, `retry`, `retryAll`: dead letters are in Redis, any process may list and replay them. */
  readonly deadLetters: ReturnType<typeof Replays.operations>

  /** Writes the jobs, all or nothing; the task id is the job id, which BullMQ adds once. */
  private addTasks(
    task: T | string,
    all: ReadonlyArray<unknown>,
    options: Api.TaskManager.AddOptions | undefined
  ): Effect.Effect<Array<string>, Api.TaskManager.AddError> {
    return Effect.suspend((): Effect.Effect<Array<string>, Api.TaskManager.AddError> => {
      if (this.closed) return Effect.fail(new TaskManagerShutDown())
      this.adding++
      return producing(typeof task === "string" ? task : task.name, (trace) =>
        Effect.flatMap(
          newTasks(this.definitions, task, all, options, trace),
          (tasks) =>
            Effect.map(storeTasks(this.store, tasks, options), (stored) => {
              this.processor.metrics?.added(tasks[0]?.name ?? "", stored.added)
              return stored.ids
            })
        )).pipe(Effect.ensuring(Effect.sync(() => void this.adding--)))
    }).pipe(Effect.uninterruptible)
  }

  readonly status = (id: string): Effect.Effect<TaskStore.TaskRecord, TaskNotFound | TaskStoreError> =>
    Effect.flatMap(
      this.store.get(id),
      Option.match({ onNone: () => Effect.fail(new TaskNotFound({ id })), onSome: Effect.succeed })
    )

  /**
   * Waits until no job of the queue is queued or running, in any process (and no add of this
   * one is being written); fails `TaskManagerShutDown` once this manager has stopped with jobs
   * left.
   */
  readonly join: Effect.Effect<void, TaskManagerShutDown> = Effect.gen({ self: this }, function*() {
    for (;;) {
      const counts = yield* Effect.orDie(
        tryRedis("count tasks", () => this.store.queue.getJobCounts(...queuedStates, "active"))
      )
      if (this.adding === 0 && Object.values(counts).every((n) => n === 0)) return
      if (this.halted) return yield* new TaskManagerShutDown()
      yield* Effect.sleep(Duration.millis(20))
    }
  })

  /**
   * Marks the job cancelled, in one step with reading where it is. A queued job (waiting, or
   * waiting out a retry delay) is taken out of the queue in that step — no worker can take it
   * any more — and then failed as cancelled at once, its outcome published: `true`. A job a
   * worker has is interrupted there (by a message to every process), and `cancel` answers once
   * it has ended: `true` only if it ended cancelled — it may have ended otherwise first.
   */
  readonly cancel = (id: string): Effect.Effect<boolean, TaskNotFound | TaskStoreError> =>
    Effect.gen({ self: this }, function*() {
      if (this.stopped !== undefined) return false
      const store = this.store
      const jobId = toJobId(id)
      const marked = yield* tryRedis("cancel a task", () => markCancelled(store, jobId))
      if (marked === "unknown") return yield* new TaskNotFound({ id })
      if (marked === "finished") return false
      // out of the queue, and marked: no worker runs it. Should failing it not happen now, the
      // mark ends it later (see markCancelled)
      if (marked === "queued") {
        yield* Effect.ignore(tryRedis("cancel a task", () => failQueued(store, jobId)))
        // ended while queued: out of this process's pending (its name read only with metrics on)
        const metrics = this.processor.metrics
        if (metrics !== undefined) {
          const record = yield* Effect.orElseSucceed(store.get(id), () => Option.none())
          if (Option.isSome(record)) {
            metrics.ended(record.value.name, "cancelled", false, { startedAt: undefined, finishedAt: Date.now() })
          }
        }
      }
      if (marked !== "running") return true
      // running, somewhere: the process running it interrupts it. Pub/sub does not retry: the
      // message goes again every few polls, for a subscriber that was reconnecting (and a
      // subscriber that reconnects looks at the marks of the jobs it runs)
      const tell = tryRedis("cancel a task", () => store.redis.publish(store.cancelChannel, jobId))
      let polls = 0
      // until it has ended, or its worker gave it back (a stopping worker): it waits with the
      // mark then, and no worker will run it
      const over = yield* Effect.repeat(
        Effect.tap(
          Effect.andThen(
            Effect.suspend((): Effect.Effect<unknown, TaskStoreError> => polls++ % 10 === 0 ? tell : Effect.void),
            Effect.map(
              store.get(id),
              (record) => Option.filter(record, (r) => r.finishedAt !== undefined || r.state !== "running")
            )
          ),
          () => Effect.sleep(endPoll)
        ),
        { until: Option.isSome }
      )
      return Option.isSome(over) && over.value.state === "cancelled"
    })

  /**
   * Stops accepting tasks; with `drain`, waits until the queue is empty; then stops this
   * process's worker — gracefully for `closeTimeout`, then handing its running jobs back — and
   * ends the results streams after the last outcome already written.
   */
  readonly shutdown = (options?: { readonly drain?: boolean | undefined }): Effect.Effect<void> =>
    Effect.andThen(Effect.suspend(() => this.stopSchedules), () => {
      this.closed = true
      // a join ends now: what is left stays queued
      if (options?.drain !== true) this.halted = true
      if (this.stopped !== undefined) {
        const stopped = this.stopped
        return options?.drain === true
          ? Effect.andThen(Effect.ignore(this.join), Deferred.await(stopped))
          : Deferred.await(stopped)
      }
      const stopped = Deferred.makeUnsafe<void>()
      this.stopped = stopped
      return Effect.gen({ self: this }, function*() {
        // (a shutdown without drain asked meanwhile ends the wait)
        if (options?.drain === true) yield* Effect.ignore(this.join)
        const worker = this.processor.worker
        if (worker !== undefined) {
          const closed = Effect.promise(() => worker.close().catch(() => undefined))
          const grace = this.store.settings.closeTimeout
          if (grace > 0 && options?.drain !== true) {
            void worker.close().catch(() => undefined)
            yield* Effect.ignore(Effect.timeout(closed, grace))
          }
          this.processor.stopping = true
          worker.cancelAllJobs(STOP)
          yield* closed
        }
        // the end mark goes into the event stream after every outcome this process wrote
        const store = this.store
        if (this.listening) {
          yield* Effect.ignore(
            tryRedis(
              "end the results",
              () => store.redis.xadd(store.eventsKey, "*", "event", store.endEvent, "manager", this.id)
            )
          )
          // every outcome read before it: bounded only for a Redis that is gone
          yield* Effect.ignore(Effect.timeout(Deferred.await(this.ended), "30 seconds"))
        }
        yield* this.outcomes.end
      }).pipe(Effect.ensuring(Effect.andThen(
        Effect.sync(() => void (this.halted = true)),
        Deferred.succeed(stopped, undefined)
      )))
    })
}

/** The last id of the queue's event stream: `results` starts after it. */
const lastEventId = (redis: Redis, key: string): Effect.Effect<string, TaskStoreError> =>
  Effect.map(
    tryRedis("read the event stream", () => redis.xrevrange(key, "+", "-", "COUNT", 1)),
    (entries) => entries[0]?.[0] ?? "0-0"
  )

/** @internal */
export const make = <T extends Definition>(
  store: BullStore,
  options: Api.TaskManager.Options<T>
): Effect.Effect<
  Api.TaskManager<T>,
  InvalidOptions | TaskStoreError,
  Scope.Scope | Api.TaskDefinition.Context<T>
> =>
  Effect.gen(function*() {
    const invalid = invalidOptions(options, 0)
    if (invalid !== undefined) return yield* invalid
    const workers = options.concurrency ?? defaults.concurrency
    // the tasks run with the context the manager was made in
    const context = yield* Effect.context<Api.TaskDefinition.Context<T>>()
    const outcomes = yield* Outcomes.make(options.resultsBuffer ?? defaults.resultsBuffer)
    const ended = yield* Deferred.make<void>()
    const manager = new RemoteManager<T>(
      store,
      options,
      context as Context.Context<unknown>,
      outcomes,
      ended
    )
    const settings = store.settings
    const instrument = yield* Telemetry.instrument("TaskManager", options.name)
    // its limit, on the manager's series (no `task`): the jobs this process runs at once (0: a producer)
    instrument?.limited(workers)
    manager.processor.metrics = TaskMetrics.of(instrument)
    manager.stopSchedules = yield* startSchedules(options.schedules, manager.definitions, {
      add: manager.add,
      ticks: store.ticks,
      storeRetry: options.storeRetry ?? defaults.storeRetry
    })

    // outcomes, from the event stream, in order — read from the first subscription on: a process
    // whose results no one reads (a worker process, a producer that only joins) reads no event.
    // In a scope of their own, closed after the shutdown below, which waits for the end mark.
    const scope = yield* Scope.fork(yield* Effect.scope, "sequential")
    const listen = yield* Effect.cached(
      Scope.provide(
        Effect.gen(function*() {
          // at most resultsBuffer events wait for the reader; beyond, its subscribers fail ResultsOverflow
          const events = yield* EventBuffer.make(options.resultsBuffer ?? defaults.resultsBuffer)
          const from = yield* lastEventId(store.redis, store.eventsKey)
          const queueEvents = yield* Effect.acquireRelease(
            Effect.sync(() =>
              new QueueEvents(settings.queue, { connection: store.redis, prefix: settings.prefix, lastEventId: from })
            ),
            (queueEvents) => Effect.promise(() => queueEvents.close().catch(() => undefined))
          )
          queueEvents.on("error", store.errors.listener("queue events"))
          for (const event of ["completed", "failed"] as const) {
            queueEvents.on(event, (args: { jobId: string }) => events.offer([event, args.jobId]))
          }
          queueEvents.on(store.endEvent as "completed", (args: unknown) => {
            if ((args as { manager?: string }).manager === manager.id) events.offer(["end", ""])
          })
          manager.listening = true
          yield* Effect.forkScoped(Effect.forever(Effect.flatMap(events.take(), (item) => {
            if (item === Overflow) return outcomes.overflow
            const [event, jobId] = item
            if (event === "end") return Deferred.succeed(ended, undefined)
            // an outcome that cannot be read is published as unknown, never left out
            const read = Effect.retry(resultOf(store, manager.definitions, event, jobId), readRetry).pipe(
              Effect.catchCause((cause) => {
                const reason = describe(cause)
                return Effect.andThen(
                  Effect.logError(`the outcome of task ${jobId} (${event}) could not be read: ${reason}`).pipe(
                    Effect.annotateLogs({ taskId: jobId, event })
                  ),
                  unreadable(jobId, event, reason)
                )
              })
            )
            return Effect.flatMap(read, (result) => outcomes.publish(result))
          })))
        }).pipe(Effect.orDie),
        scope
      )
    )
    // subscribed to the PubSub first, then listening: nothing read in between is missed
    const subscribe = Effect.tap(outcomes.subscribe, () => listen)

    if (workers > 0) {
      const subscriber = yield* Effect.acquireRelease(
        Effect.sync(() => store.redis.duplicate({ connectionName: store.cancelSubscriberName })),
        (client) => Effect.sync(() => client.disconnect())
      )
      subscriber.on("error", store.errors.listener("cancel subscriber"))
      subscriber.on("message", (_channel: string, id: string) => manager.processor.onCancel(id))
      // (re)connected: a cancel sent meanwhile was lost; the marks of the jobs running here say it
      subscriber.on("ready", () => {
        for (const jobId of manager.processor.running) {
          store.redis.hexists(`${store.jobKeyPrefix}${jobId}`, "defa").then(
            (marked) => marked === 1 && manager.processor.onCancel(jobId),
            () => undefined
          )
        }
      })
      yield* tryRedis("subscribe to cancels", () => subscriber.subscribe(store.cancelChannel))
      const worker = new Worker<JobData>(settings.queue, manager.processor.process, {
        connection: store.redis,
        prefix: settings.prefix,
        concurrency: workers,
        lockDuration: settings.lockDuration,
        stalledInterval: settings.stalledInterval,
        maxStalledCount: settings.maxStalledCount,
        settings: { backoffStrategy: Processor.backoff }
      })
      worker.on("error", store.errors.listener("worker"))
      manager.processor.worker = worker
    }
    // stopped when its scope closes, or before the store's connection closes, whichever is first
    const stop = manager.shutdown({ drain: false })
    store.managers.add(stop)
    yield* Effect.addFinalizer(() => Effect.andThen(stop, Effect.sync(() => store.managers.delete(stop))))
    return {
      add: manager.add as Api.TaskManager<T>["add"],
      addAll: manager.addAll as Api.TaskManager<T>["addAll"],
      status: manager.status,
      // the outcomes of this manager's definitions: each value and error decoded by its definition
      results: Stream.unwrap(subscribe) as Api.TaskManager<T>["results"],
      subscribe: subscribe as Api.TaskManager<T>["subscribe"],
      join: manager.join,
      cancel: manager.cancel,
      ...manager.deadLetters,
      shutdown: manager.shutdown
    }
  })
