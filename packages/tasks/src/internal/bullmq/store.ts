import { type Job, Queue } from "bullmq"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import { TaskStoreError } from "../../Errors.js"
import type * as TaskStore from "../../TaskStore.js"
import { decodeArgs, encodeArgs } from "../argsText.js"
import { matches } from "../localRecords.js"
import { fromBullPriority, toBullPriority } from "../priority.js"
import { parseFailure, stateOf } from "./codec.js"
import { addDeduped } from "./dedupe.js"
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
  /** Not taken before this time (epoch ms): the task's `runAt` (BullMQ's `delay` is relative, and retries change it). */
  readonly runAt?: number | undefined
  /** How often the task was replayed from the failed state. */
  readonly replays?: number | undefined
  /** The span the task was added under. */
  readonly trace?: TaskStore.TaskTrace | undefined
}

/**
 * A task's progress as the job's: boxed, since BullMQ reads a job that never reported any as
 * progress 0. @internal
 */
export const progressOf = (value: number): { readonly fiberkit: number } => ({ fiberkit: value })

/** The progress a task reported, from its job's. @internal */
export const progressFrom = (progress: unknown): number | undefined =>
  typeof progress === "object" && progress !== null && typeof (progress as { fiberkit?: unknown }).fiberkit === "number"
    ? (progress as { readonly fiberkit: number }).fiberkit
    : undefined

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

  get ticksKey(): string {
    return `${this.settings.prefix}:${this.settings.queue}:fiberkit:ticks`
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
    // active with no take counted: a worker is putting it back (its definition at its limit here)
    const taskState = state === "active" && job.attemptsStarted === 0 ? "queued" : stateOf(state, failure)
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
      error: failure?.text,
      runAt: job.data.runAt,
      progress: progressFrom(job.progress),
      replays: job.data.replays ?? 0,
      trace: job.data.trace
    }
  }

  /** The BullMQ job of a new task (its arguments encoded: a `TaskStoreError` if they cannot be kept). */
  jobOf(task: TaskStore.NewTask) {
    return {
      name: task.name,
      data: {
        argsText: encodeArgs(task.args),
        ...(task.runAt === undefined ? {} : { runAt: task.runAt }),
        ...(task.trace === undefined ? {} : { trace: task.trace })
      },
      opts: {
        ...jobOptions(this.settings),
        jobId: toJobId(task.id),
        timestamp: task.addedAt,
        // (BullMQ's delayed set, then its prioritized set once the time has come)
        ...(task.runAt === undefined ? {} : { delay: Math.max(0, task.runAt - task.addedAt) }),
        // every task in BullMQ's prioritized set, ranked as on the local stores
        priority: toBullPriority(task.priority ?? 0)
      }
    }
  }

  readonly add = (tasks: ReadonlyArray<TaskStore.NewTask>): Effect.Effect<number, TaskStoreError> =>
    Effect.flatMap(
      // arguments that cannot be stored exactly fail the add, before anything is written
      Effect.try({
        try: () => tasks.map((task) => this.jobOf(task)),
        catch: (cause) => new TaskStoreError({ operation: "store the arguments of a task", cause })
      }),
      (jobs) => Effect.as(tryRedis("add tasks", () => this.queue.addBulk(jobs)), tasks.length)
    )

  readonly addDeduped = (
    task: TaskStore.NewTask,
    window: TaskStore.DedupeWindow
  ): Effect.Effect<TaskStore.Deduped, TaskStoreError> => addDeduped(this, task, window)

  readonly get = (id: string): Effect.Effect<Option.Option<TaskStore.TaskRecord>, TaskStoreError> =>
    tryRedis("read a task", async () => {
      const job = await this.queue.getJob(toJobId(id))
      if (job === undefined) return Option.none()
      return Option.some(this.record(job as Job<JobData>, await job.getState()))
    })

  /** The tasks `filter` selects, oldest first. */
  readonly list = (
    filter?: TaskStore.ListFilter
  ): Effect.Effect<ReadonlyArray<TaskStore.TaskRecord>, TaskStoreError> =>
    tryRedis("list tasks", async () => {
      const state = filter?.state
      const limit = filter?.limit ?? 1_000
      // cancelled tasks are failed jobs, or queued ones not taken yet; failed and queued ones may
      // be cancelled: those states are read whole and filtered, as is every state for a name
      const types: Array<string> = []
      if (state === undefined || state === "queued" || state === "cancelled") {
        for (const type of queuedStates) types.push(type)
      }
      if (state === undefined || state === "running") types.push("active")
      if (state === undefined || state === "succeeded") types.push("completed")
      if (state === undefined || state === "failed" || state === "cancelled") types.push("failed")
      const whole = state !== "running" && state !== "succeeded" || filter?.name !== undefined
      const records: Array<TaskStore.TaskRecord> = []
      // one BullMQ state at a time, so that each job's state is known without asking for it
      for (const type of types) {
        for (const job of await this.queue.getJobs(type as never, 0, whole ? -1 : limit - 1, true)) {
          const record = this.record(job as Job<JobData>, type)
          if (matches(record, filter)) records.push(record)
        }
      }
      return records.sort((a, b) => a.addedAt - b.addedAt).slice(0, limit)
    })

  /**
   * A failed task back to the queue (see `TaskStore.replay`): BullMQ's own retry of a failed job,
   * which one caller wins (it moves the job out of the failed set in one step), its failures
   * (`attemptsMade`) reset; then the replay is counted in its data. A cancelled task, a failed
   * job too, is never replayed.
   */
  readonly replay = (id: string): Effect.Effect<boolean, TaskStoreError> =>
    tryRedis("replay a task", async () => {
      const job = await this.queue.getJob(toJobId(id)) as Job<JobData> | undefined
      if (job === undefined || this.record(job, await job.getState()).state !== "failed") return false
      try {
        await job.retry("failed", { resetAttemptsMade: true })
      } catch (error) {
        // replayed by another caller first, or gone meanwhile
        const now = await this.queue.getJob(toJobId(id))
        if (now === undefined || (await now.getState()) !== "failed") return false
        throw error
      }
      await job.updateData({ ...job.data, replays: (job.data.replays ?? 0) + 1 })
      return true
    })

  /** Schedules' last ticks: one hash beside the queue, moved forward only (in one script). */
  readonly ticks: TaskStore.ScheduleTicks = {
    last: (schedule) =>
      Effect.map(
        tryRedis("read a schedule's last tick", () => this.redis.hget(this.ticksKey, schedule)),
        (at) => at === null ? undefined : Number(at)
      ),
    advance: (schedule, at) =>
      Effect.asVoid(
        tryRedis("record a schedule's tick", () => this.redis.eval(advanceTick, 1, this.ticksKey, schedule, at))
      )
  }

  readonly progress = (id: string, value: number): Effect.Effect<void, TaskStoreError> =>
    tryRedis("report progress", async () => {
      const job = await this.queue.getJob(toJobId(id))
      if (job !== undefined) await job.updateProgress(progressOf(value))
    })
}

/** KEYS: the ticks hash. ARGV: the schedule, the tick: set unless a later tick is there. */
const advanceTick = `
local last = redis.call("HGET", KEYS[1], ARGV[1])
if last and tonumber(last) >= tonumber(ARGV[2]) then return 0 end
redis.call("HSET", KEYS[1], ARGV[1], ARGV[2])
return 1
`

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
