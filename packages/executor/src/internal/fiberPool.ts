import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { Watchers } from "@fiberkit/sync/Watchers"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { pipeArguments } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import * as os from "node:os"
import { InvalidOptions, PoolShutDown } from "../Errors.js"
import type * as Executor from "../Executor.js"
import type * as Api from "../FiberPool.js"
import type * as Future from "../Future.js"
import { Job, PoolRecording } from "./fiberPoolJobs.js"
import { mapInLanes } from "./fiberPoolMap.js"
import { resolveSteering, type Steering, unsteered, withRank } from "./fiberPoolSteering.js"
import { startWorker } from "./fiberPoolWorker.js"
import type { FutureImpl } from "./future.js"
import { LiveFutures } from "./liveFutures.js"
import { mapStream } from "./mapStream.js"
import { type Admission, admit, type Newcomer, PendingLine } from "./pendingLine.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/FiberPool") as Api.TypeId

/** Python's default for I/O-bound pools: `min(32, cpus + 4)`. @internal */
export const defaultConcurrency = (): number => Math.min(32, os.availableParallelism() + 4)

const poolShutDown = Effect.fail(new PoolShutDown())
const zero = () => 0

/** A pool size that is no integer ≥ 1, as the error `operation` fails with; `undefined` for a good one. @internal */
export const badConcurrency = (operation: string, concurrency: number): InvalidOptions | undefined =>
  Number.isSafeInteger(concurrency) && concurrency >= 1
    ? undefined
    : new InvalidOptions({ operation, field: "concurrency", expected: "an integer ≥ 1", value: concurrency })

/** 0, 1, 2 … @internal */
export const counter = (): () => number => {
  let next = 0
  return () => next++
}

/**
 * Submitted tasks wait in one line of jobs (by priority, then submission order); at most `concurrency` of them run, each in its
 * own fiber, started when a worker is free — so a pending task costs a small object, not a
 * fiber, and a cancelled pending task is simply skipped. `map` runs its items in lanes queued in
 * the same line (see `fiberPoolMap.ts`), so a huge input does not create a task per item, and
 * `map` and `submit` share the worker limit.
 *
 * @internal
 */
export class FiberPoolImpl implements Api.FiberPool<PendingLimitExceeded>, Admission {
  readonly [TypeId]: Api.TypeId = TypeId
  readonly source = "FiberPool"
  /**
   * The jobs waiting for a worker, and their counts; those from `submit` are what `maxPending`
   * bounds (`map` and `mapStream` keep their own bound).
   */
  readonly line = new PendingLine(() => this.watchers.check())
  /** Workers running (for the worker module). */
  active = 0
  /** Workers out of work, about to look once more before retiring: a new job starts on one at once. */
  idleWorkers = 0
  /** Futures not settled yet, pending or running (a WorkerPool's graceful shutdown waits for them). */
  readonly live = new LiveFutures()
  /** No new task accepted. */
  closed = false
  /**
   * Set by `shutdown({ cancelFutures: true })` and `abort`: what has not started never will — a
   * running `map` starts no more items, and a task cancelled then ends its map as `PoolShutDown`.
   */
  cancelledFutures = false

  readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

  /**
   * @param nextId numbers the futures; a WorkerPool shares its own with the FiberPool that runs
   * its effects, so that every future it returns has its own id.
   */
  readonly recording: PoolRecording | undefined
  /** Its metrics, when on (the pending gauge is its line's: see `PendingLine`). */
  readonly instrument: Telemetry.Instrument | undefined
  /** The clock its jobs are timed on: the recorder's, else the metrics'; none without either. */
  readonly now: () => number

  constructor(
    public concurrency: number,
    readonly context: Context.Context<never>,
    private readonly nextId = counter(),
    observers?: Telemetry.Observers | undefined,
    readonly steering: Steering = unsteered,
    /**
     * `awaitIdle`, `awaitSizeBelow` and submitters waiting for room, checked after each change
     * (a WorkerPool shares its own with the FiberPool that runs its effects).
     */
    readonly watchers: Watchers = new Watchers()
  ) {
    this.runFork = Effect.runForkWith(context)
    const recorder = observers?.recorder
    this.recording = recorder === undefined ? undefined : new PoolRecording(recorder, observers!.group)
    this.instrument = observers?.instrument
    this.now = observers?.now ?? zero
    this.line.instrument = this.instrument
    this.instrument?.limited(concurrency)
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  /** @internal */
  enqueue<A, E>(
    run: Effect.Effect<A, E>,
    context?: Context.Context<never>,
    rank = 0,
    bounded = false,
    order?: number
  ): Job<A, E> {
    const id = this.nextId()
    const job = new Job<A, E>(
      id,
      run,
      context,
      this.now(),
      rank,
      bounded,
      order ?? id
    )
    this.live.add(job as Job)
    this.line.push(job as Job)
    return job
  }

  /** The next job to run, by rank then submission order, skipping those cancelled while pending. */
  next(): Job | undefined {
    const job = this.line.next()
    if (job !== undefined) this.watchers.check()
    return job
  }

  private hasPending(): boolean {
    return this.line.count > 0
  }

  /** A `dispatch` is under way (a worker it started runs at once, and may queue jobs: a map's lanes). */
  private dispatching = false

  /**
   * Starts workers while some are missing and jobs wait (synchronously, in the same step as the
   * enqueue). A dispatch called while one is under way returns at once: the one under way looks
   * again before it returns (no worker start nests in another, however many are missing).
   */
  dispatch(): void {
    if (this.dispatching) return
    this.dispatching = true
    try {
      while (this.active < this.concurrency && this.hasPending()) startWorker(this)
    } finally {
      this.dispatching = false
    }
  }

  /**
   * Settles `future` now; its `onDone` callbacks then run in a fiber of their own, once, after
   * the outcome is visible — never in the worker, which a slow callback would hold up.
   */
  settle(future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    future.settleNow(exit, this.runFork)
    this.watchers.check()
  }

  /**
   * What a task submitted by `caller` takes of it: its whole context, as a fiber it forked would —
   * its services, and the log annotations, log spans and log levels that Effect keeps there.
   * The task runs in a fiber of the pool; its context is the caller's while it runs.
   */
  carrier(caller: Fiber.Fiber<unknown, unknown>) {
    const context = caller.context
    return <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E> =>
      Effect.setContext(effect, context as Context.Context<R>)
  }

  readonly submit = <A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: Api.FiberPool.SubmitOptions
  ): Effect.Effect<Future.Future<A, E | PendingLimitExceeded>, PoolShutDown | PendingLimitExceeded, R> =>
    withRank(
      this.steering,
      options?.priority ?? 0,
      (rank) => admit(this, this.startsNow, (caller) => this.accept(effect, caller, rank, true), { rank, call: false })
    )

  readonly isClosed = (): boolean => this.closed

  /** The bounded tasks pending: in line, but not those idle workers take at their next step. */
  readonly boundedPending = (): number => this.line.bounded - this.line.boundedAmongFirst(this.starting())

  /** How many of the jobs in line idle workers take at their next step (they yielded once before looking). */
  private starting(): number {
    return Math.min(this.takers(), this.line.count)
  }

  /**
   * Idle workers that take a job at their next step: not those a shrink made surplus — a worker
   * that looks while more are active than the size retires instead.
   */
  private takers(): number {
    return Math.max(0, this.idleWorkers - Math.max(0, this.active - this.concurrency))
  }

  /** Jobs waiting for a worker: in line, less those idle workers take at their next step. */
  pendingCount(): number {
    return this.line.count - this.starting()
  }

  /**
   * `submit` past any bound, at priority 0: for `mapStream`'s tasks (at most `concurrency` of
   * them at once) and a WorkerPool's.
   */
  readonly submitUnbounded = <A, E, R>(
    effect: Effect.Effect<A, E, R>
  ): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> =>
    withRank(
      this.steering,
      0,
      (rank) => Effect.withFiber((caller) => this.closed ? poolShutDown : this.accept(effect, caller, rank, false))
    )

  /** Queues `effect` for `caller`, past any bound (checked already), and starts it if a worker is free. */
  accept<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    caller: Fiber.Fiber<unknown, unknown>,
    rank: number,
    bounded: boolean
  ): Effect.Effect<FutureImpl<A, E>> {
    // the caller's context goes with the job (its worker switches to it), not as a wrapper
    const future = this.enqueue(effect as Effect.Effect<A, E>, caller.context, rank, bounded)
    this.dispatch()
    return Effect.succeed(future)
  }

  /** A worker is free for it: a task would start at once, so it is no pending one. */
  readonly startsNow = (): boolean =>
    this.line.count < this.takers() || (this.line.count === 0 && this.active < this.concurrency)

  /**
   * The oldest pending task that `maxPending` bounds, once a newcomer of rank `newcomer` (if any)
   * has joined the line: not one an idle worker takes at its next step — unless the newcomer goes
   * before it and takes its worker, so it waits after all.
   */
  oldestBounded(newcomer?: Newcomer): Job | undefined {
    const k = this.starting()
    let starting: Set<Job> | undefined = undefined
    if (k > 0) {
      const first = this.line.firstPending(k)
      // the newcomer goes after every job in line of its rank or better (it is the latest)
      const displaced = newcomer !== undefined && !newcomer.call && first.some((job) => job.rank > newcomer.rank)
      starting = new Set(displaced ? first.slice(0, k - 1) : first)
    }
    for (const future of this.live) {
      if (future.isPending && (future as Job).bounded && starting?.has(future as Job) !== true) return future as Job
    }
    return undefined
  }

  /** Ends `job`, pending, with `error`: it never starts (no wake-up: see `admit`). */
  drop(job: Job, error: PendingLimitExceeded): void {
    job.settleNow(Exit.fail(error), this.runFork)
    this.line.uncount(job)
    this.instrument?.ended("dropped")
  }

  readonly dropOldest = (error: PendingLimitExceeded, newcomer: Newcomer | undefined): boolean => {
    const job = this.oldestBounded(newcomer)
    if (job !== undefined) this.drop(job, error)
    return job !== undefined
  }

  readonly resize = (concurrency: number): Effect.Effect<void, InvalidOptions> =>
    Effect.suspend(() => {
      const bad = badConcurrency("FiberPool.resize", concurrency)
      if (bad !== undefined) return Effect.fail(bad)
      this.setConcurrency(concurrency)
      return Effect.void
    })

  /** `resize`, with `concurrency` checked already. */
  setConcurrency(concurrency: number): void {
    this.concurrency = concurrency
    this.instrument?.limited(concurrency)
    this.dispatch()
    // a grow makes room for submits waiting for it, even with nothing in line (maxPending 0)
    this.watchers.check()
  }

  readonly awaitIdle: Effect.Effect<void> = Effect.suspend(() => this.watchers.until(() => this.live.size === 0))

  readonly awaitSizeBelow = (size: number): Effect.Effect<void> =>
    Effect.suspend(() => this.watchers.untilBelow("FiberPool.awaitSizeBelow", size, () => this.pendingCount()))

  /** Queues `run` and returns its future at once, without the shutdown check (for tasks a WorkerPool accepted). */
  submitNow<A, E>(run: Effect.Effect<A, E>, rank = 0): FutureImpl<A, E> {
    const future = this.enqueue(run, undefined, rank)
    this.dispatch()
    return future
  }

  readonly map = <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ): Effect.Effect<Array<B>, E | PoolShutDown, R> => mapInLanes(this, items, f)

  readonly mapStream: Executor.Executor["mapStream"] = (items, f) =>
    mapStream(this.submitUnbounded, this.concurrency, () => this.cancelledFutures)(items, f)

  readonly shutdown = (options?: Executor.Executor.ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      this.watchers.check() // submitters waiting for room find the pool shut down
      // the pending ones cancelled in this step: a worker freed meanwhile finds none to start
      if (options?.cancelFutures === true) this.cancelPending()
      // every task accepted, to the last: a running map queues its next items after this step
      return options?.wait === false ? Effect.void : this.awaitIdle
    })

  /** Cancels every pending task in this one step: none of them starts, whatever runs next. */
  cancelPending(): void {
    this.cancelledFutures = true
    for (const future of [...this.live]) {
      future.cancelIfPending(this.runFork)
    }
  }

  /**
   * Shuts down at once: no new task, the pending ones cancelled (never started), the running
   * ones interrupted; returns once every one has stopped. Closing the pool's scope does this
   * when the scope did not succeed.
   */
  readonly abort: Effect.Effect<void> = Effect.suspend(() => {
    this.closed = true
    this.watchers.check()
    // the pending first, before any interruption: a worker that one frees finds no job to take
    this.cancelPending()
    return Effect.forEach([...this.live], (future) => future.cancel, { concurrency: "unbounded", discard: true })
  })

  /** The tasks started and not settled yet (a worker that has settled its task is not running one). */
  readonly running: Effect.Effect<number> = Effect.sync(() => {
    let n = 0
    for (const future of this.live) if (!future.isPending) n++
    return n
  })

  readonly pending: Effect.Effect<number> = Effect.sync(() => this.pendingCount())
}

/** @internal */
export const make = (
  options?: Api.FiberPool.Options
): Effect.Effect<Api.FiberPool<PendingLimitExceeded>, InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const concurrency = options?.concurrency ?? defaultConcurrency()
    const bad = badConcurrency("FiberPool.make", concurrency)
    if (bad !== undefined) return yield* bad
    const steering = yield* resolveSteering(options)
    const pool = new FiberPoolImpl(
      concurrency,
      yield* Effect.context<never>(),
      counter(),
      yield* Telemetry.observers("FiberPool", options?.name),
      steering
    )
    // a scope that succeeded closes gracefully: every accepted task runs to its end; one that
    // failed or was interrupted stops them (its owner will not use their results, and a task
    // waiting for the owner would otherwise keep the close waiting for ever)
    yield* Effect.addFinalizer((exit) => Exit.isSuccess(exit) ? pool.shutdown({ wait: true }) : pool.abort)
    return pool
  })
