import { type Job, Queue } from "bullmq"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import { TaskStoreError } from "../../Errors.js"
import type * as TaskStore from "../../TaskStore.js"
import { decodeArgs, encodeArgs } from "../argsText.js"
import { fromBullPriority, toBullPriority } from "../priority.js"
import { parseFailure, stateOf } from "./codec.js"
import type { ErrorLog } from "./errorLog.js"
import { fromJobId, toJobId } from "./jobIds.js"

/** @internal */
export interface Settings {
  readonly queue: string
  readonly prefix: string
  readonly lockDuration: number
  readonly stalledInterval: number
  readonly maxStalledCount: number
  readonly closeTimeout: number
  /** Finished jobs kept (for `status`, `results` and ids added again), by count and age in seconds. */
  readonly retain: { readonly count: number; readonly age: number }
}

/**
 * The job data: the task's arguments, encoded by its Schema, as `argsText` writes them (so that
 * they come back exactly, as from the local stores); `args`, as plain JSON, in jobs written
 * before that.
 *
 * @internal
 */
export interface JobData {
  readonly argsText?: string | undefined
  readonly args?: unknown
}

/** A job's arguments, as its task's Schema encoded them. @internal */
export const argsOf = (data: JobData): unknown => data.argsText === undefined ? data.args : decodeArgs(data.argsText)

/**
 * Retries are decided by the manager's Schedule in the worker, not by a count (see
 * `processor.ts`); finished jobs are kept as `retain` says.
 *
 * @internal
 */
export const jobOptions = (settings: Settings) => ({
  attempts: 1_000_000_000,
  backoff: { type: "fiberkit" },
  removeOnComplete: settings.retain,
  removeOnFail: settings.retain
})

/**
 * A job's failed attempts: BullMQ counts every attempt that ended (`attemptsMade`), the one that
 * ended the task too — its success, or its cancellation.
 */
const failuresOf = (job: Job<JobData>, state: TaskStore.TaskState): number =>
  state === "succeeded" || state === "cancelled" ? Math.max(0, job.attemptsMade - 1) : job.attemptsMade

/** BullMQ's job states that a task in the `queued` state can be in. @internal */
export const queuedStates = ["waiting", "delayed", "prioritized", "waiting-children"] as const

/** @internal */
export const tryRedis = <A>(operation: string, f: () => Promise<A>): Effect.Effect<A, TaskStoreError> =>
  Effect.tryPromise({ try: f, catch: (cause) => new TaskStoreError({ operation, cause }) })

/**
 * The BullMQ store: the queue, its Redis connection, and the keys fiberkit keeps beside BullMQ's
 * (`once` marks).
 *
 * @internal
 */
export class BullStore {
  readonly cancelChannel: string
  /**
   * The name (`CLIENT SETNAME`) of the connection that listens for cancels: `CLIENT LIST` tells
   * which queue a subscriber serves (a name may hold no space: other characters become `_`).
   */
  readonly cancelSubscriberName: string
  readonly jobKeyPrefix: string
  /** Managers made on this store: shut down before its connection closes. */
  readonly managers = new Set<Effect.Effect<void>>()
  readonly endEvent = "fiberkit-end"
  readonly eventsKey: string

  constructor(
    readonly redis: Redis,
    readonly queue: Queue<JobData>,
    readonly settings: Settings,
    /** Where the connection errors of this store's clients are logged. */
    readonly errors: ErrorLog
  ) {
    const base = `${settings.prefix}:${settings.queue}`
    this.jobKeyPrefix = `${base}:`
    this.cancelChannel = `${base}:fiberkit:cancel`
    this.cancelSubscriberName = `fiberkit-cancels:${base}`.replace(/[^!-~]/g, "_")
    this.eventsKey = `${base}:events`
  }

  onceKey(key: string): string {
    return `${this.settings.prefix}:${this.settings.queue}:fiberkit:once:${key}`
  }

  /** A job's task record, given its BullMQ state. */
  record(job: Job<JobData>, state: string): TaskStore.TaskRecord {
    // a task cancelled before it ran (again) carries its cancellation as BullMQ's deferred
    // failure, which wins over an earlier attempt's failure while the job waits
    const deferred = state === "active" ? undefined : parseFailure(job.deferredFailure)
    const waiting = state !== "completed" && state !== "failed"
    const failure = waiting && deferred?.fiberkit === "cancelled"
      ? deferred
      : parseFailure(job.failedReason) ?? deferred
    const taskState = stateOf(state, failure)
    // ended by a cancel's mark when a worker took it: that take started no attempt
    const reason = state === "failed" ? parseFailure(job.failedReason) : undefined
    const unstarted = reason?.fiberkit === "cancelled" && reason.unstarted === true
    return {
      id: fromJobId(job.id!),
      name: job.name,
      args: argsOf(job.data),
      state: taskState,
      priority: fromBullPriority(job.priority),
      attempts: job.attemptsStarted - (unstarted ? 1 : 0),
      failures: failuresOf(job, taskState),
      addedAt: job.timestamp,
      startedAt: job.processedOn ?? undefined,
      finishedAt: job.finishedOn ?? undefined,
      error: failure?.text
    }
  }

  readonly add = (tasks: ReadonlyArray<TaskStore.NewTask>): Effect.Effect<number, TaskStoreError> =>
    Effect.flatMap(
      // arguments that cannot be stored exactly fail the add, before anything is written
      Effect.try({
        try: () =>
          tasks.map((task) => ({
            name: task.name,
            data: { argsText: encodeArgs(task.args) },
            opts: {
              ...jobOptions(this.settings),
              jobId: toJobId(task.id),
              timestamp: task.addedAt,
              // every task in BullMQ's prioritized set, ranked as on the local stores
              priority: toBullPriority(task.priority ?? 0)
            }
          })),
        catch: (cause) => new TaskStoreError({ operation: "store the arguments of a task", cause })
      }),
      (jobs) => Effect.as(tryRedis("add tasks", () => this.queue.addBulk(jobs)), tasks.length)
    )

  readonly get = (id: string): Effect.Effect<Option.Option<TaskStore.TaskRecord>, TaskStoreError> =>
    tryRedis("read a task", async () => {
      const job = await this.queue.getJob(toJobId(id))
      if (job === undefined) return Option.none()
      return Option.some(this.record(job as Job<JobData>, await job.getState()))
    })

  /** Tasks in a state, oldest first, `limit` at most. */
  readonly list = (
    state: TaskStore.TaskState,
    limit: number
  ): Effect.Effect<ReadonlyArray<TaskStore.TaskRecord>, TaskStoreError> =>
    tryRedis(`list ${state} tasks`, async () => {
      // cancelled tasks are failed jobs, or queued ones not taken yet; failed and queued ones may
      // be cancelled: those states are read whole and filtered
      const types: Array<string> = state === "queued" || state === "cancelled" ? [...queuedStates] : []
      if (state === "running") types.push("active")
      if (state === "succeeded") types.push("completed")
      if (state === "failed" || state === "cancelled") types.push("failed")
      const whole = state === "failed" || state === "cancelled" || state === "queued"
      const records: Array<TaskStore.TaskRecord> = []
      // one BullMQ state at a time, so that each job's state is known without asking for it
      for (const type of types) {
        for (const job of await this.queue.getJobs(type as never, 0, whole ? -1 : limit - 1, true)) {
          const record = this.record(job as Job<JobData>, type)
          if (record.state === state) records.push(record)
        }
      }
      return records.sort((a, b) => a.addedAt - b.addedAt).slice(0, limit)
    })
}

/** The queue on the connection, closed with the scope. @internal */
export const makeQueue = (
  redis: Redis,
  settings: Settings,
  errors: ErrorLog
): Effect.Effect<Queue<JobData>, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const queue = new Queue<JobData>(settings.queue, {
        connection: redis,
        prefix: settings.prefix,
        defaultJobOptions: jobOptions(settings)
      })
      // the connection reconnects by itself; operations report their own errors
      queue.on("error", errors.listener("queue"))
      return queue
    }),
    (queue) => Effect.promise(() => queue.close().catch(() => undefined))
  )
