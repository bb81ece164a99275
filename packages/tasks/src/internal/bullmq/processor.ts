import { DelayedError, type Job, UnrecoverableError, WaitingError, type Worker } from "bullmq"
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { InvalidTaskArgs, TaskInterrupted, TaskTimeout, UnknownTask } from "../../Errors.js"
import type * as Api from "../../TaskManager.js"
import { DefinitionLimits } from "../definitionLimits.js"
import { describe } from "../definitions.js"
import { retryDelay, retryInput } from "../retry.js"
import { currentTask, ProgressReports, taskContext } from "../taskContext.js"
import type { TaskMetrics } from "../taskMetrics.js"
import { running } from "../taskTrace.js"
import { cancelledFailure, cancelMark, encodeDefect, encodeFailure, encodeValue, parseFailure } from "./codec.js"
import { fromJobId } from "./jobIds.js"
import { handBack, uncountTake } from "./scripts.js"
import { argsOf, type BullStore, type JobData, progressOf } from "./store.js"

type Definition = Api.TaskDefinition.Any

/** @internal Why a running job's signal was aborted: `cancel`, or a shutdown handing it back. */
export const CANCEL = "fiberkit:cancel"
export const STOP = "fiberkit:stop"

/**
 * The failures of a job that cannot run here — arguments that do not decode, a name no definition
 * has — which fail the same on every try: final. (The same error classes failed by a task's own
 * `run` are its typed errors, retried as the Schedule says, as on the local stores.)
 */
const unrunnables = new WeakSet<object>()
const unrunnable = <E extends object>(error: E): E => {
  unrunnables.add(error)
  return error
}
const isUnrunnable = (error: unknown): boolean => typeof error === "object" && error !== null && unrunnables.has(error)

/** A failed attempt to be tried again after `delay` ms (read by the worker's backoff strategy). */
export class RetryLater extends Error {
  constructor(message: string, readonly delay: number) {
    super(message)
  }
}

/**
 * What a BullMQ Worker runs for each job of this process: decode the arguments, run the task
 * (under the manager's timeout) in the manager's context, encode the value. The job's
 * `AbortSignal` interrupts the attempt: `cancel` ends the task, a shutdown hands it back. A
 * failure becomes the error BullMQ acts on: retried after the Schedule's delay, or final.
 *
 * @internal
 */
export class Processor {
  /** Cancels received for jobs this process had not started yet (a cancel racing the start). */
  private readonly early = new Map<string, number>()
  worker: Worker<JobData> | undefined
  /** Set by a shutdown without drain: a job fetched from now on goes back to the queue unrun. */
  stopping = false
  /** The job ids whose attempt runs here now. */
  readonly running = new Set<string>()
  /** This process's metrics of the manager (`Telemetry`), when they are on. */
  metrics: TaskMetrics | undefined = undefined
  /** The definitions' `concurrency` in this process; `undefined` if none has one. */
  private readonly limits: DefinitionLimits | undefined
  /** How often each job was put off here (its definition at its limit): its next delay doubles. */
  private readonly putOff = new Map<string, number>()

  constructor(
    private readonly store: BullStore,
    private readonly definitions: ReadonlyMap<string, Definition>,
    private readonly options: Api.TaskManager.Options<Definition>,
    private readonly context: Context.Context<unknown>
  ) {
    this.limits = DefinitionLimits.of(definitions.values())
  }

  /**
   * A job whose definition is at its `concurrency` here goes back to BullMQ's delayed set for a
   * moment (20 ms, doubling up to 500 ms), for this process or another to take later; the take
   * that fetched it is not counted as an attempt.
   */
  private async putBackLater(job: Job<JobData>, token: string | undefined): Promise<never> {
    const times = this.putOff.get(job.id!) ?? 0
    this.putOff.set(job.id!, times + 1)
    await uncountTake(this.store, job.id!)
    await job.moveToDelayed(Date.now() + Math.min(500, 20 * 2 ** times), token)
    throw new DelayedError()
  }

  /** Puts a running job back in the queue; the Worker then neither completes nor fails it. */
  private async handBack(job: Job<JobData>, token: string | undefined): Promise<never> {
    await handBack(this.store, job, token)
    throw new WaitingError()
  }

  /** The worker's backoff strategy: the delay the Schedule chose for this failure. */
  static readonly backoff = (_attempts: number, _type?: string, error?: Error): number =>
    error instanceof RetryLater ? error.delay : 0

  /** One attempt of a job, as the Worker's processor: its signal aborted is an interruption. */
  readonly process = async (job: Job<JobData>, token: string | undefined, signal?: AbortSignal): Promise<unknown> => {
    // cancelled before it started here: it never runs
    if (this.early.delete(job.id!)) throw new UnrecoverableError(JSON.stringify(cancelMark))
    // fetched as the worker stops (BullMQ fetches the next job as one ends): handed back unrun
    if (this.stopping) return this.handBack(job, token)
    const limits = this.limits
    if (limits !== undefined) {
      if (!limits.accepts(job.name)) return this.putBackLater(job, token)
      limits.taken(job.name)
      this.putOff.delete(job.id!)
    }
    const metrics = this.metrics
    metrics?.taken({ name: job.name, addedAt: job.timestamp, runAt: job.data.runAt, startedAt: job.processedOn })
    try {
      const value = await this.run(job, token, signal)
      metrics?.ended(job.name, "succeeded", true, { startedAt: job.processedOn, finishedAt: Date.now() })
      return value
    } catch (error) {
      if (metrics !== undefined) this.counted(metrics, job, error)
      throw error
    } finally {
      limits?.ended(job.name)
    }
  }

  /** How an attempt that threw counts: retried or handed back (queued again), else ended. */
  private counted(metrics: TaskMetrics, job: Job<JobData>, error: unknown): void {
    if (error instanceof RetryLater || error instanceof WaitingError) return metrics.putBack(job.name)
    const failure = error instanceof Error ? parseFailure(error.message) : undefined
    const state = failure?.fiberkit === "cancelled" ? "cancelled" : "failed"
    metrics.ended(job.name, state, true, { startedAt: job.processedOn, finishedAt: Date.now() })
  }

  private async run(job: Job<JobData>, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    this.running.add(job.id!)
    const exit = await Effect.runPromiseExitWith(this.context)(
      this.attempt(job),
      signal === undefined ? {} : { signal }
    )
      .finally(() => this.running.delete(job.id!))
    if (Exit.isSuccess(exit)) return exit.value
    if (Cause.hasInterruptsOnly(exit.cause)) {
      // a shutdown without drain: back to the queue, for another worker (this attempt counts)
      if (signal?.reason === STOP) return this.handBack(job, token)
      if (signal?.aborted === true) throw new UnrecoverableError(JSON.stringify(cancelledFailure))
      // interrupted by itself, nobody cancelled it: it fails, once
      const error = new TaskInterrupted({ id: fromJobId(job.id!), attempt: job.attemptsStarted })
      const failure = await Effect.runPromiseWith(this.context)(
        encodeFailure(this.definitions.get(job.name), error, error.message)
      )
      throw new UnrecoverableError(JSON.stringify(failure))
    }
    const decided = await Effect.runPromiseExitWith(this.context)(this.failure(job, exit.cause))
    if (Exit.isSuccess(decided)) throw decided.value
    // deciding failed (a retry Schedule that died): the task ends, as a defect, never retried blindly
    const defect = await Effect.runPromise(
      encodeDefect(fromJobId(job.id!), Cause.squash(decided.cause), describe(decided.cause))
    )
    throw new UnrecoverableError(JSON.stringify(defect))
  }

  private attempt(job: Job<JobData>): Effect.Effect<unknown, unknown> {
    const definition = this.definitions.get(job.name)
    if (definition === undefined) return Effect.fail(unrunnable(new UnknownTask({ task: job.name })))
    // the definition's own timeout, else the manager's
    const input = definition.timeout ?? this.options.timeout
    const timeout = input === undefined ? undefined : Duration.fromInputUnsafe(input)
    return Effect.try(() => argsOf(job.data)).pipe(
      Effect.flatMap(Schema.decodeUnknownEffect(definition.args)),
      Effect.mapError((error) => unrunnable(new InvalidTaskArgs({ task: job.name, reason: error.message }))),
      Effect.flatMap((args) => {
        // progress goes to the job, where every process reads it (status, results, QueueEvents)
        const reports = new ProgressReports((value) =>
          Effect.ignore(Effect.tryPromise(() => job.updateProgress(progressOf(value))))
        )
        const context = taskContext(fromJobId(job.id!), job.name, job.attemptsStarted, reports)
        const data = job.data
        const traced = running(
          { id: context.id, name: job.name, trace: data.trace, addedAt: job.timestamp, runAt: data.runAt },
          job.attemptsStarted,
          job.attemptsStarted === 1 ? job.processedOn : undefined,
          definition.run(args) as Effect.Effect<unknown, unknown>
        )
        const run = Effect.ensuring(Effect.provideService(traced, currentTask, context), reports.close)
        if (timeout === undefined) return run
        return Effect.timeoutOrElse(run, {
          duration: timeout,
          orElse: () =>
            Effect.fail(
              new TaskTimeout({
                id: fromJobId(job.id!),
                attempt: job.attemptsStarted,
                timeoutMillis: Duration.toMillis(timeout)
              })
            )
        })
      }),
      Effect.flatMap((value) => encodeValue(definition, value))
    )
  }

  /** The error an attempt's failure throws: retried after the schedule's delay, or final. */
  private failure(job: Job<JobData>, cause: Cause.Cause<unknown>): Effect.Effect<Error> {
    const definition = this.definitions.get(job.name)
    const text = describe(cause)
    const failure = Cause.findErrorOption(cause)
    if (Option.isNone(failure)) {
      return Effect.map(
        encodeDefect(fromJobId(job.id!), Cause.squash(cause), text),
        (defect) => new UnrecoverableError(JSON.stringify(defect))
      )
    }
    const error = failure.value
    return Effect.flatMap(encodeFailure(definition, error, text), (encoded) => {
      const message = JSON.stringify(encoded)
      // arguments that do not decode, or a task this process does not know, fail the same again;
      // a defect beside the failure is not retried either
      if (isUnrunnable(error) || Option.isNone(retryInput(cause))) {
        return Effect.succeed(new UnrecoverableError(message))
      }
      // the definition's own Schedule, else the manager's
      const schedule = (definition?.retry ?? this.options.retry ?? Schedule.recurs(0)) as Schedule.Schedule<
        unknown,
        unknown
      >
      return Effect.map(
        retryDelay(schedule, error, job.attemptsMade + 1, job.timestamp),
        Option.match({
          onNone: (): Error => new UnrecoverableError(message),
          onSome: (delay): Error => new RetryLater(message, delay)
        })
      )
    })
  }

  /** A cancel published by any process: this one interrupts the job if it runs it. */
  readonly onCancel = (id: string): void => {
    if (this.worker?.cancelJob(id, CANCEL) === true) return
    // not started here yet, or not here at all: remembered for a few seconds
    const now = Date.now()
    for (const [old, at] of this.early) if (at < now - 10_000) this.early.delete(old)
    this.early.set(id, now)
  }
}
