import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { Watchers } from "@fiberkit/sync/Watchers"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { pipeArguments } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import * as Semaphore from "effect/Semaphore"
import { type InvalidOptions, PoolShutDown, type WorkerSpawnFailed } from "../Errors.js"
import type * as Executor from "../Executor.js"
import type * as Future from "../Future.js"
import type * as Api from "../WorkerPool.js"
import { counter, FiberPoolImpl } from "./fiberPool.js"
import { withRank } from "./fiberPoolSteering.js"
import type { FutureImpl } from "./future.js"
import { LiveFutures } from "./liveFutures.js"
import { mapStream } from "./mapStream.js"
import { mapWindow } from "./mapWindow.js"
import { type Admission, admit, type Newcomer } from "./pendingLine.js"
import { awaitIdle, registerThenWait } from "./wait.js"
import { type Settings, settingsOf } from "./workerPoolOptions.js"
import { resizePool } from "./workerPoolResize.js"
import { Workers } from "./workerPoolWorkers.js"
import * as Protocol from "./workerProtocol.js"
import { CallJob, WorkerRecording } from "./workerSlot.js"
import { type CallImpl, currentRouter, isCall, type Router } from "./workerTask.js"
import { CallTrace } from "./workerTrace.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/WorkerPool") as Api.TypeId

const poolShutDown = Effect.fail(new PoolShutDown())

/**
 * Calls wait in one line (by priority, then submission order), each its own future; the workers
 * take from it (see `Workers`). A worker that dies fails only the job it was running
 * (`WorkerCrashed`); the jobs queued behind it go back in line, and a replacement starts.
 * Cancelling a job queued on a worker is a compare-and-swap on its cell (the worker skips it);
 * cancelling the running job terminates the worker. Effects that are not calls run on the main
 * thread in a FiberPool of `concurrency` fibers, with the calls they make routed to this pool's
 * workers at the effect's priority.
 *
 * `maxPending` bounds the calls and effects from `submit` that wait: in line, or held by a worker
 * behind the call it runs. `map` and `mapStream`, and the calls an effect makes, are not bounded.
 *
 * Under a recorder, each call that ran on a worker thread is recorded (source `"WorkerPool"`,
 * lane `worker <slot>`). Calls that never reached a worker — cancelled while waiting, a payload
 * that cannot be sent, no worker able to start — are not; nor are the main-thread effects: their
 * FiberPool is made without a recorder, and the calls they make are recorded as calls.
 *
 * Its `submit`, `map` and `mapStream` are the Executor's; `WorkerPool`'s overloads, which drop
 * a call's `R` (the worker provides it), are the same functions, typed by `make`.
 *
 * @internal
 */
export class WorkerPoolImpl
  implements
    Omit<Executor.Executor, "submit">,
    Omit<Api.WorkerPool<PendingLimitExceeded>, keyof Executor.Executor>,
    Admission
{
  readonly [TypeId]: Api.TypeId = TypeId
  readonly source = "WorkerPool"
  /** `awaitIdle`, `awaitSizeBelow` and submitters waiting for room: shared with the FiberPool of effects. */
  readonly watchers = new Watchers()
  private readonly live = new LiveFutures()
  private closed = false
  /** Set once the pool has cancelled what had not started (`shutdown({ cancelFutures: true })`, `abort`). */
  private cancelledFutures = false
  private readonly nextId = counter()
  private readonly fibers: FiberPoolImpl
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>
  private readonly router: Router = (call) => this.runCall(call, 0)
  private readonly recording: WorkerRecording | undefined
  /** Its `name` option, for the spans of the calls submitted under a span. */
  private readonly name: string | undefined
  /** Its metrics, if on: an outcome is counted once per call, when the pool settles it. */
  readonly instrument: Telemetry.Instrument | undefined
  readonly workers: Workers
  readonly steering: Settings["steering"]
  /**
   * One resize at a time (Effect's semaphore: a worker thread loads this module too, and
   * `@fiberkit/sync`'s `Lock` would bring its lock-order detector with it).
   */
  private readonly resizing = Semaphore.makeUnsafe(1)

  constructor(settings: Settings, context: Context.Context<never>) {
    this.steering = settings.steering
    this.name = settings.name
    this.runFork = Effect.runForkWith(context)
    // no recorder: the main-thread effects are not this pool's tasks (their calls are)
    this.fibers = new FiberPoolImpl(settings.size, context, this.nextId, undefined, this.steering, this.watchers)
    this.recording = settings.observers === undefined ? undefined : new WorkerRecording(settings.observers)
    this.instrument = this.recording?.instrument
    this.workers = new Workers(
      settings.size,
      settings,
      this.recording,
      this.runFork,
      (future, exit) => this.settle(future, exit),
      () => this.closed,
      () => this.watchers.check()
    )
    this.workers.boundedPending = this.boundedPending
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  /** The workers it keeps: as made, or as last resized. */
  get concurrency(): number {
    return this.workers.size
  }

  /** `caller`: the fiber that submits it, whose span (if any) is the parent of the call's spans. */
  private enqueue(
    call: CallImpl<unknown, unknown, unknown>,
    caller: Fiber.Fiber<unknown, unknown>,
    rank: number,
    bounded: boolean
  ): CallJob {
    const queuedAt = this.recording === undefined ? 0 : this.recording.now()
    const trace = caller.cache.span === undefined ? undefined : CallTrace.of(caller, call.task.name, this.name)
    const job = new CallJob(this.nextId(), call, queuedAt, rank, bounded, trace)
    this.live.add(job)
    this.workers.push(job)
    return job
  }

  private settle(future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    if (this.instrument !== undefined && !future.hasSettled) this.instrument.ended(Telemetry.outcomeOf(exit))
    future.settleNow(exit, this.runFork)
    this.watchers.check()
  }

  // ---- Executor --------------------------------------------------------------------------

  /**
   * A call made by an effect this pool runs: sent to a worker at the effect's priority;
   * interrupting it (at any op) cancels it.
   */
  private runCall(call: CallImpl<unknown, unknown, unknown>, priority: number): Effect.Effect<unknown, unknown> {
    return withRank(this.steering, priority, (rank) =>
      Effect.withFiber((caller) =>
        registerThenWait((settle) => {
          // the pool has ended (a fiber outlived the task that forked it): the call cannot run
          if (this.workers.stopped) return settle(Exit.interrupt(caller.id))
          const future = this.enqueue(call, caller, rank, false)
          // cancelled by the pool (shutdown with cancelFutures): the call is interrupted
          future.observe((exit) => settle(future.wasCancelled ? Exit.interrupt(caller.id) : exit))
          return Effect.asVoid(future.cancel)
        })
      ))
  }

  /** `effect` on the main thread, its calls routed to the workers at `priority`. */
  private routed<A, E, R>(effect: Effect.Effect<A, E, R>, priority: number): Effect.Effect<A, E, R> {
    const router: Router = priority === 0 ? this.router : (call) => this.runCall(call, priority)
    return Effect.provideService(effect, currentRouter, router)
  }

  /** Queues a call (`bounded`: counted by `maxPending`), or an effect for the main thread, in this step. */
  private accept<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    caller: Fiber.Fiber<unknown, unknown>,
    priority: number,
    rank: number,
    bounded: boolean
  ): Effect.Effect<Future.Future<A, E>> {
    this.workers.unblock()
    if (isCall(effect)) {
      return Effect.succeed(this.enqueue(effect, caller, rank, bounded) as unknown as Future.Future<A, E>)
    }
    return this.fibers.accept(this.routed(effect, priority), caller, rank, bounded)
  }

  readonly submit = <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: Api.WorkerPool.SubmitOptions
  ): Effect.Effect<Future.Future<A, E | PendingLimitExceeded>, PoolShutDown | PendingLimitExceeded, R> => {
    // a priority that is not finite is a defect, named `WorkerPool.submit` by the pool's ranking
    const priority = options?.priority ?? 0
    return withRank(this.steering, priority, (rank) =>
      admit(
        this,
        isCall(effect) ? this.workers.callStartsNow : this.fibers.startsNow,
        (caller) => this.accept(effect, caller, priority, rank, true),
        { rank, call: isCall(effect) }
      ))
  }

  /** `submit` past any bound, at priority 0: for `mapStream`'s tasks (at most `concurrency` of them at once). */
  private readonly submitUnbounded = <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> =>
    withRank(
      this.steering,
      0,
      (rank) => Effect.withFiber((caller) => this.closed ? poolShutDown : this.accept(effect, caller, 0, rank, false))
    )

  readonly map = <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
    // its tasks rank as tasks of priority 0 (with aging, as of now)
    withRank(this.steering, 0, (rank) =>
      Effect.withFiber((caller) => {
        if (!this.closed) this.workers.unblock()
        const carry = this.fibers.carrier(caller)
        return mapWindow(items, f, {
          window: this.concurrency * Protocol.CELLS,
          start: (effect) =>
            isCall(effect)
              ? this.enqueue(effect, caller, rank, false) as unknown as FutureImpl<B, E>
              : this.fibers.submitNow(carry(this.routed(effect, 0)), rank),
          closed: () => this.closed,
          cancelled: () => this.cancelledFutures
        })
      }))

  readonly mapStream: Executor.Executor["mapStream"] = (items, f) =>
    mapStream(this.submitUnbounded, this.concurrency, () => this.cancelledFutures)(items, f)

  // ---- steering --------------------------------------------------------------------------

  readonly isClosed = (): boolean => this.closed

  readonly boundedPending = (): number => this.workers.waitingBounded() + this.fibers.boundedPending()

  private pendingNow(): number {
    return this.workers.waiting() + this.fibers.pendingCount()
  }

  /**
   * The oldest pending task from `submit`: a call in line, or held by a worker behind the one it
   * runs and not started (taken back), or an effect not started. The calls idle workers take are
   * sent first: they are not waiting, and are not dropped. True also when nothing is dropped
   * because the count was stale: a call counted as waiting behind another has started (the worker
   * finished the one before, and its reply is still on its way), so there is room.
   */
  readonly dropOldest = (error: PendingLimitExceeded, newcomer: Newcomer | undefined): boolean => {
    this.workers.dispatchNow()
    const effect = this.fibers.oldestBounded(newcomer)
    // a newcomer call of a better rank takes back a call sent and not started (see `Workers.push`):
    // that one waits after all, and may be dropped
    const displaces = (job: CallJob) =>
      newcomer?.call === true && this.workers.takesBackFor(newcomer.rank) && newcomer.rank < job.rank
    for (const future of this.live) {
      const job = future as CallJob
      if (effect !== undefined && job.id > effect.id) break
      if (!job.bounded) continue
      if (job.isPending) {
        this.workers.line.uncount(job)
      } else {
        const sent = job.sent
        if (sent === undefined) continue
        const head = sent === sent.held.head()
        if (head && !displaces(job)) continue
        // a call counted as waiting that has started: the count was stale, there is room; a head
        // that has started is simply running
        if (!sent.held.takeBack(sent)) {
          if (head) continue
          return true
        }
      }
      // no wake-up: see `admit`
      this.instrument?.ended("dropped")
      job.settleNow(Exit.fail(error), this.runFork)
      return true
    }
    if (effect === undefined) return false
    this.fibers.drop(effect, error)
    return true
  }

  readonly resize = (concurrency: number): Effect.Effect<void, InvalidOptions | WorkerSpawnFailed> =>
    resizePool(this.workers, this.fibers, this.resizing, concurrency)

  readonly awaitIdle: Effect.Effect<void> = Effect.suspend(() =>
    this.watchers.until(() => this.live.size === 0 && this.fibers.live.size === 0)
  )

  readonly awaitSizeBelow = (size: number): Effect.Effect<void> =>
    Effect.suspend(() => this.watchers.untilBelow("WorkerPool.awaitSizeBelow", size, () => this.pendingNow()))

  // ---- ending ----------------------------------------------------------------------------

  /**
   * Cancels, in this one step, the calls queued on a worker and those waiting in the line, and
   * the main-thread effects not started: none of them starts, whatever runs next.
   */
  private cancelWaiting(): void {
    this.cancelledFutures = true
    this.fibers.cancelPending()
    this.workers.cancelQueued()
    for (const future of [...this.live]) future.cancelIfPending(this.runFork)
    this.watchers.check()
  }

  /**
   * Shuts down at once (a scope that did not succeed): what waits is cancelled, what runs is
   * stopped (a running call's worker is terminated), then the workers end.
   */
  readonly abort: Effect.Effect<void> = Effect.suspend(() => {
    this.closed = true
    this.cancelWaiting()
    // the main-thread effects stop first: the calls they make meanwhile are cancelled below
    return this.fibers.abort.pipe(
      Effect.andThen(Effect.suspend(() => {
        this.cancelWaiting()
        return Effect.forEach([...this.live], (future) => future.cancel, { concurrency: "unbounded", discard: true })
      })),
      Effect.andThen(this.workers.stopAll)
    )
  })

  readonly shutdown = (options?: Executor.Executor.ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      this.watchers.check() // submitters waiting for room find the pool shut down
      if (options?.cancelFutures === true) this.cancelWaiting()
      // the workers end once every accepted task has ended, those a running map starts meanwhile included
      const drain = Effect.andThen(
        Effect.andThen(
          this.fibers.shutdown({ wait: false, cancelFutures: options?.cancelFutures }),
          awaitIdle(this.live, this.fibers.live)
        ),
        this.workers.stopAll
      )
      return options?.wait === false ? Effect.asVoid(Effect.forkDetach(drain)) : drain
    })

  readonly running: Effect.Effect<number> = Effect.suspend(() =>
    Effect.map(this.fibers.running, (fibers) => fibers + this.workers.running())
  )

  readonly pending: Effect.Effect<number> = Effect.sync(() => this.pendingNow())

  readonly threadCount: Effect.Effect<number> = Effect.sync(() => this.workers.threadCount())
}

/** @internal */
export const make = (
  options: Api.WorkerPool.Options
): Effect.Effect<Api.WorkerPool<PendingLimitExceeded>, InvalidOptions | WorkerSpawnFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* settingsOf(options)
    const pool = new WorkerPoolImpl(settings, yield* Effect.context<never>())
    // a scope that succeeded waits for every accepted task, then ends the workers; one that
    // failed or was interrupted stops the tasks first
    yield* Effect.addFinalizer((exit) => Exit.isSuccess(exit) ? pool.shutdown({ wait: true }) : pool.abort)
    yield* pool.workers.start
    return pool as unknown as Api.WorkerPool<PendingLimitExceeded>
  })
