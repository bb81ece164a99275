import { type Job, QueueEvents, Worker } from "bullmq"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Option from "effect/Option"
import * as PubSub from "effect/PubSub"
import * as Queue from "effect/Queue"
import type * as Runtime from "effect/Runtime"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Redis } from "ioredis"
import {
  InvalidOptions,
  InvalidTaskArgs,
  TaskManagerShutDown,
  TaskNotFound,
  type TaskStoreError,
  UnknownTask
} from "../../Errors.js"
import type * as Api from "../../TaskManager.js"
import type * as TaskStore from "../../TaskStore.js"
import { Processor, STOP } from "./processor.js"
import { resultOf } from "./results.js"
import { type BullStore, type JobData, jobOptions, queuedStates, tryRedis } from "./store.js"

type Definition = Api.TaskDefinition.Any

/** Published after the last outcome, when the manager shuts down: the results streams end there. */
const End = Symbol.for("@fiberkit/tasks/BullMQStore/End")

/**
 * The TaskManager on BullMQ. Adding writes a job (the task id is the job id); this process's
 * `workers` run jobs as a BullMQ Worker's concurrency; outcomes come from the queue's event
 * stream, so `results` sees the tasks that every process ran.
 */
class RemoteManager<T extends Definition> {
  readonly definitions = new Map<string, Definition>()
  private closed = false
  private stopped: Deferred.Deferred<void> | undefined
  readonly processor: Processor
  readonly id = crypto.randomUUID()

  constructor(
    readonly store: BullStore,
    readonly options: Api.TaskManager.Options<T>,
    readonly runtime: Runtime.Runtime<unknown>,
    readonly pubsub: PubSub.PubSub<Api.TaskResult | typeof End>,
    readonly ended: Deferred.Deferred<void>
  ) {
    for (const task of options.tasks) this.definitions.set(task.name, task)
    this.processor = new Processor(this.definitions, options, runtime)
  }

  private encodeArgs(
    task: T | string,
    all: ReadonlyArray<unknown>
  ): Effect.Effect<{ readonly name: string; readonly encoded: Array<unknown> }, Api.TaskManager.AddError> {
    const name = typeof task === "string" ? task : task.name
    const definition = this.definitions.get(name)
    if (this.closed) return Effect.fail(new TaskManagerShutDown())
    if (definition === undefined) return Effect.fail(new UnknownTask({ task: name }))
    return Effect.map(
      Effect.mapError(
        Effect.forEach(all, (args) => Schema.encodeUnknown(definition.args)(args)),
        (error) => new InvalidTaskArgs({ task: name, reason: error.message })
      ),
      (encoded) => ({ name, encoded })
    )
  }

  readonly add = (
    task: T | string,
    args: unknown,
    options?: Api.TaskManager.AddOptions
  ): Effect.Effect<string, Api.TaskManager.AddError> =>
    Effect.flatMap(Effect.suspend(() => this.encodeArgs(task, [args])), ({ encoded, name }) => {
      const store = this.store
      const id = options?.id ?? crypto.randomUUID()
      // the id is the job id: BullMQ adds a job whose id it holds once (a given id may also be
      // that of a queued task cancelled, and removed, which stays cancelled)
      return Effect.as(
        tryRedis("add a task", async () => {
          if (options?.id !== undefined && await store.redis.hexists(store.cancelledKey, id) === 1) return
          await store.queue.add(name, { args: encoded[0] }, { ...jobOptions(store.settings), jobId: id })
        }),
        id
      )
    })

  readonly addAll = (
    task: T | string,
    all: Iterable<unknown>
  ): Effect.Effect<Array<string>, Api.TaskManager.AddError> =>
    Effect.flatMap(
      Effect.suspend(() => this.encodeArgs(task, Array.from(all))),
      ({ encoded, name }) =>
        Effect.flatMap(Clock.currentTimeMillis, (addedAt) => {
          const tasks = encoded.map((args) => ({ id: crypto.randomUUID() as string, name, args, addedAt }))
          return Effect.as(this.store.add(tasks), tasks.map((t) => t.id))
        })
    )

  readonly status = (id: string): Effect.Effect<TaskStore.TaskRecord, TaskNotFound | TaskStoreError> =>
    Effect.flatMap(
      this.store.get(id),
      Option.match({ onNone: () => Effect.fail(new TaskNotFound({ id })), onSome: Effect.succeed })
    )

  /** Waits until no job of the queue is queued or running, in any process. */
  readonly join: Effect.Effect<void> = Effect.gen(this, function*() {
    for (;;) {
      const counts = yield* Effect.orDie(
        tryRedis("count tasks", () => this.store.queue.getJobCounts(...queuedStates, "active"))
      )
      if (Object.values(counts).every((n) => n === 0)) return
      yield* Effect.sleep(Duration.millis(20))
    }
  })

  readonly cancel = (id: string): Effect.Effect<boolean, TaskNotFound | TaskStoreError> =>
    Effect.gen(this, function*() {
      if (this.stopped !== undefined) return false
      const store = this.store
      const job = yield* tryRedis("read a task", () => store.queue.getJob(id))
      if (job === undefined) {
        const removed = yield* tryRedis("read a task", () => store.redis.hexists(store.cancelledKey, id))
        return removed === 1 ? false : yield* new TaskNotFound({ id })
      }
      const state = yield* tryRedis("read a task", () => job.getState())
      if (state === "completed" || state === "failed") return false
      if (state !== "active") {
        // queued: recorded as cancelled first, then removed — which fails if a worker took it since
        const now = yield* Clock.currentTimeMillis
        const record = { ...store.record(job as Job<JobData>, state), state: "cancelled", finishedAt: now }
        yield* tryRedis("cancel a task", () => store.redis.hset(store.cancelledKey, id, JSON.stringify(record)))
        const removed = yield* Effect.orElseSucceed(tryRedis("cancel a task", () => job.remove()), () => false)
        if (removed !== false) return true
        yield* tryRedis("cancel a task", () => store.redis.hdel(store.cancelledKey, id))
      }
      // running, somewhere: the process running it interrupts it
      yield* tryRedis("cancel a task", () => store.redis.publish(store.cancelChannel, id))
      return true
    })

  /**
   * Stops accepting tasks; with `drain`, waits until the queue is empty; then stops this
   * process's worker — gracefully for `closeTimeout`, then handing its running jobs back — and
   * ends the results streams after the last outcome already written.
   */
  readonly shutdown = (options?: { readonly drain?: boolean | undefined }): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      if (this.stopped !== undefined) {
        const stopped = this.stopped
        return options?.drain === true ? Effect.zipRight(this.join, Deferred.await(stopped)) : Deferred.await(stopped)
      }
      const stopped = Deferred.unsafeMake<void>(FiberId.none)
      this.stopped = stopped
      return Effect.gen(this, function*() {
        if (options?.drain === true) yield* this.join
        const worker = this.processor.worker
        if (worker !== undefined) {
          const closed = Effect.promise(() => worker.close().catch(() => undefined))
          const grace = this.store.settings.closeTimeout
          if (grace > 0 && options?.drain !== true) {
            void worker.close().catch(() => undefined)
            yield* Effect.ignore(Effect.timeout(closed, grace))
          }
          worker.cancelAllJobs(STOP)
          yield* closed
        }
        // the end mark goes into the event stream after every outcome this process wrote
        const store = this.store
        yield* Effect.ignore(
          tryRedis(
            "end the results",
            () => store.redis.xadd(store.eventsKey, "*", "event", store.endEvent, "manager", this.id)
          )
        )
        yield* Effect.ignore(Effect.timeout(Deferred.await(this.ended), "5 seconds"))
        yield* PubSub.publish(this.pubsub, End)
      }).pipe(Effect.ensuring(Deferred.succeed(stopped, undefined)))
    })
}

const untilEnd = (stream: Stream.Stream<Api.TaskResult | typeof End>): Stream.Stream<Api.TaskResult> =>
  Stream.takeWhile(stream, (item): item is Api.TaskResult => item !== End)

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
    const workers = options.workers ?? 4
    if (!Number.isSafeInteger(workers) || workers < 0) {
      return yield* new InvalidOptions({
        operation: "TaskManager.make",
        field: "workers",
        expected: "an integer ≥ 0 (0: a producer that runs no task)",
        value: workers
      })
    }
    // the tasks run with the context the manager was made in
    const runtime = yield* Effect.runtime<Api.TaskDefinition.Context<T>>()
    const pubsub = yield* PubSub.unbounded<Api.TaskResult | typeof End>()
    const ended = yield* Deferred.make<void>()
    const manager = new RemoteManager<T>(
      store,
      options,
      runtime as Runtime.Runtime<unknown>,
      pubsub,
      ended
    )
    const settings = store.settings

    // outcomes, from the event stream, in order
    const events = yield* Queue.unbounded<readonly [string, string]>()
    const from = yield* lastEventId(store.redis, store.eventsKey)
    const queueEvents = yield* Effect.acquireRelease(
      Effect.sync(() =>
        new QueueEvents(settings.queue, { connection: store.redis, prefix: settings.prefix, lastEventId: from })
      ),
      (queueEvents) => Effect.promise(() => queueEvents.close().catch(() => undefined))
    )
    queueEvents.on("error", () => {})
    for (const event of ["completed", "failed", "removed"] as const) {
      queueEvents.on(event, (args: { jobId: string }) => Queue.unsafeOffer(events, [event, args.jobId]))
    }
    queueEvents.on(store.endEvent as "completed", (args: unknown) => {
      if ((args as { manager?: string }).manager === manager.id) Queue.unsafeOffer(events, ["end", ""])
    })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(events), ([event, jobId]) => {
      if (event === "end") return Deferred.succeed(ended, undefined)
      return Effect.flatMap(
        Effect.retry(
          resultOf(store, manager.definitions, event, jobId),
          Schedule.spaced("100 millis").pipe(Schedule.compose(Schedule.recurs(50)))
        ),
        (result) => result === undefined ? Effect.void : PubSub.publish(pubsub, result)
      ).pipe(Effect.ignore)
    })))

    if (workers > 0) {
      const subscriber = yield* Effect.acquireRelease(
        Effect.sync(() => store.redis.duplicate()),
        (client) => Effect.sync(() => client.disconnect())
      )
      subscriber.on("error", () => {})
      subscriber.on("message", (_channel: string, id: string) => manager.processor.onCancel(id))
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
      worker.on("error", () => {})
      manager.processor.worker = worker
      yield* Effect.addFinalizer(() => Effect.promise(() => worker.close(true).catch(() => undefined)))
    }
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
