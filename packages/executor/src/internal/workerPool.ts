import * as Fifo from "@fiberkit/sync/Fifo"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { pipeArguments } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import { type InvalidOptions, PoolShutDown, type WorkerSpawnFailed } from "../Errors.js"
import type * as Executor from "../Executor.js"
import type * as Future from "../Future.js"
import type * as Api from "../WorkerPool.js"
import { counter, FiberPoolImpl } from "./fiberPool.js"
import { FutureImpl } from "./future.js"
import { LiveFutures } from "./liveFutures.js"
import { mapStream } from "./mapStream.js"
import { isCancelled, mapWindow } from "./mapWindow.js"
import { awaitIdle, registerThenWait } from "./wait.js"
import { type Settings, settingsOf } from "./workerPoolOptions.js"
import { Thread, type ThreadHost } from "./workerPoolThread.js"
import * as Protocol from "./workerProtocol.js"
import { type Job, type Sent, WorkerRecording } from "./workerSlot.js"
import { steal } from "./workerSteal.js"
import { type CallImpl, currentRouter, isCall, type Router } from "./workerTask.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/WorkerPool") as Api.TypeId

const poolShutDown = Effect.fail(new PoolShutDown())

/**
 * Calls wait in one FIFO line; each worker takes from it while it holds fewer than its depth.
 * A worker that dies fails only the job it was running (`WorkerCrashed`); the jobs queued
 * behind it go back to the front of the line, and a replacement starts. Cancelling a job queued
 * on a worker is a compare-and-swap on its cell (the worker skips it); cancelling the running
 * job terminates the worker. Effects that are not calls run on the main thread in a FiberPool
 * of `concurrency` fibers, with the calls they make routed to this pool's workers.
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
export class WorkerPoolImpl implements Executor.Executor, Omit<Api.WorkerPool, keyof Executor.Executor> {
  readonly [TypeId]: Api.TypeId = TypeId
  readonly concurrency: number
  private line = new Fifo.Fifo<Job>()
  private readonly live = new LiveFutures()
  private readonly threads: Array<Thread | undefined>
  /** Threads that left their slot and have not ended yet (closing: their layer being released). */
  private readonly leaving = new Set<Thread>()
  /** A slot whose last start failed is not tried again before the next submission. */
  private readonly blocked: Array<boolean>
  private closed = false
  /** Set once the pool has cancelled what had not started (`shutdown({ cancelFutures: true })`, `abort`). */
  private cancelledFutures = false
  private stopped = false
  /** Why the last worker start failed. */
  private spawnFailure: WorkerSpawnFailed | undefined = undefined
  private scheduled = false
  private readonly nextId = counter()
  private readonly fibers: FiberPoolImpl
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>
  private readonly router: Router = (call) => this.runCall(call)
  private readonly recording: WorkerRecording | undefined
  /** The pool, as its threads see it. */
  private readonly host: ThreadHost

  constructor(
    private readonly settings: Settings,
    context: Context.Context<never>
  ) {
    this.concurrency = settings.size
    this.threads = new Array(settings.size).fill(undefined)
    this.blocked = new Array(settings.size).fill(false)
    this.runFork = Effect.runForkWith(context)
    // no recorder: the main-thread effects are not this pool's tasks (their calls are)
    this.fibers = new FiberPoolImpl(settings.size, context, this.nextId)
    const recorder = settings.recorder
    this.recording = recorder === undefined || settings.group === undefined
      ? undefined
      : new WorkerRecording(recorder, settings.group, settings.size)
    this.host = {
      settings,
      recording: this.recording,
      settle: (future, exit) => this.settle(future, exit),
      requeue: (jobs) => this.requeue(jobs),
      schedule: () => this.schedule(),
      vacate: (thread) => {
        if (this.threads[thread.slot] === thread) this.threads[thread.slot] = undefined
        if (thread.alive) this.leaving.add(thread)
      },
      exited: (thread) => this.leaving.delete(thread),
      startFailed: (thread, error) => {
        this.blocked[thread.slot] = true
        this.spawnFailure = error
        this.failIfNoWorker()
      }
    }
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  // ---- the line -------------------------------------------------------------------------

  private enqueue(call: CallImpl<unknown, unknown, unknown>): FutureImpl<unknown, unknown> {
    const future = new FutureImpl<unknown, unknown>(this.nextId())
    this.live.add(future)
    this.line.push({ future, call, queuedAt: this.recording === undefined ? 0 : this.recording.recorder.now() })
    this.schedule()
    return future
  }

  /** The next job in the line, skipping those cancelled while waiting. */
  private next(): Job | undefined {
    while (this.line.length > 0) {
      const job = this.line.shift()
      if (job.future.start()) return job
    }
    return undefined
  }

  /** Puts jobs that never started back at the front of the line (a new line: rare, and O(n) as a splice was). */
  private requeue(jobs: Array<Job>): void {
    const line = new Fifo.Fifo<Job>()
    for (const job of jobs) line.push(job)
    for (const job of this.line) line.push(job)
    this.line = line
  }

  private get waiting(): boolean {
    return this.line.length > 0
  }

  /** Dispatches once after the current synchronous run, so that calls made together travel together. */
  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    queueMicrotask(() => {
      this.scheduled = false
      this.dispatch()
    })
  }

  private dispatch(): void {
    if (this.stopped) return
    const ready: Array<Thread> = []
    const serving: Array<Thread> = [] // ready or retiring: those a job can be stolen from
    for (let slot = 0; slot < this.threads.length; slot++) {
      const thread = this.threads[slot]
      if (thread === undefined) {
        if (!this.blocked[slot] && (!this.closed || this.waiting)) this.runFork(Effect.ignore(this.spawn(slot)))
      } else if (thread.state === "ready") {
        ready.push(thread)
        serving.push(thread)
      } else if (thread.state === "retiring") {
        serving.push(thread)
      }
    }
    if (ready.length === 0) return this.failIfNoWorker()
    if (!this.waiting) steal(serving, this.host.requeue)
    const batches = new Map<Thread, Array<unknown>>()
    const sentAt = this.recording === undefined ? 0 : this.recording.recorder.now()
    // one job at a time to the least loaded worker with room, so that work spreads evenly
    for (;;) {
      let target: Thread | undefined = undefined
      for (const thread of ready) {
        if (this.hasRoom(thread) && (target === undefined || thread.inFlight < target.inFlight)) target = thread
      }
      if (target === undefined) break
      const job = this.next()
      if (job === undefined) break
      const entry = this.assign(target, job, sentAt)
      if (entry === undefined) continue
      let batch = batches.get(target)
      if (batch === undefined) batches.set(target, batch = [])
      batch.push(entry.seq, entry.cell, job.call.task.name, entry.payload)
    }
    for (const [thread, batch] of batches) thread.send(batch)
    for (const thread of ready) {
      const max = this.settings.maxTasksPerWorker
      if (max !== undefined && thread.taken >= max) thread.retire()
    }
  }

  private hasRoom(thread: Thread): boolean {
    const max = this.settings.maxTasksPerWorker
    return thread.inFlight < thread.depth() && thread.freeCells.length > 0 && (max === undefined || thread.taken < max)
  }

  /** Records `job` as sent to `thread`; `undefined` if its payload cannot be encoded (the job fails). */
  private assign(
    thread: Thread,
    job: Job,
    sentAt: number
  ): { seq: number; cell: number; payload: unknown } | undefined {
    let payload: unknown
    try {
      payload = job.call.task.payloadCodec.encode(job.call.payload)
    } catch (error) {
      this.settle(job.future, Exit.die(error))
      return undefined
    }
    const seq = thread.seq++
    const cell = thread.freeCells.pop()!
    Atomics.store(thread.cells, cell, Protocol.QUEUED)
    const sent: Sent = { job, seq, cell, moved: false, cancelled: false, sentAt }
    thread.sent.push(sent)
    thread.taken++
    job.future.attach(() => thread.cancel(sent))
    return { seq, cell, payload }
  }

  private settle(future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    future.settleNow(exit, this.runFork)
  }

  // ---- workers --------------------------------------------------------------------------

  /** Puts a new worker in `slot` and starts it. */
  private spawn(slot: number): Effect.Effect<void, WorkerSpawnFailed> {
    const thread = new Thread(slot, this.host)
    this.threads[slot] = thread
    return thread.start()
  }

  /** No worker left and none starting: the line's jobs fail now instead of waiting for ever. */
  private failIfNoWorker(): void {
    const error = this.spawnFailure
    if (error === undefined || !this.threads.every((thread) => thread === undefined)) return
    // the line is emptied before any job is settled: a fiber woken by a settlement runs at once,
    // and a call it submits then waits for the next dispatch (which tries the workers again)
    const failed: Array<Job> = []
    for (let job = this.next(); job !== undefined; job = this.next()) failed.push(job)
    for (const job of failed) this.settle(job.future, Exit.fail(error))
  }

  /** Ends every worker now, and waits until every thread has ended: those closing already too. */
  private readonly stopAll = Effect.suspend(() => {
    this.stopped = true
    const threads = [...this.threads.filter((thread) => thread !== undefined), ...this.leaving]
    return Effect.forEach(threads, (thread) => thread.end(), { discard: true, concurrency: "unbounded" })
  })

  /** Starts every worker; fails if one cannot start. */
  readonly start: Effect.Effect<void, WorkerSpawnFailed> = Effect.suspend(() =>
    Effect.forEach(this.threads, (_, slot) => this.spawn(slot), { discard: true, concurrency: "unbounded" })
  ).pipe(Effect.tapError(() => this.stopAll))

  // ---- Executor --------------------------------------------------------------------------

  /** A call made by an effect this pool runs: sent to a worker; interrupting it (at any op) cancels it. */
  private runCall(call: CallImpl<unknown, unknown, unknown>): Effect.Effect<unknown, unknown> {
    return Effect.withFiber((caller) =>
      registerThenWait((settle) => {
        // the pool has ended (a fiber outlived the task that forked it): the call cannot run
        if (this.stopped) return settle(Exit.interrupt(caller.id))
        const future = this.enqueue(call)
        // cancelled by the pool (shutdown with cancelFutures): the call is interrupted
        future.observe((exit) => settle(isCancelled(exit) ? Exit.interrupt(caller.id) : exit))
        return Effect.asVoid(future.cancel)
      })
    )
  }

  readonly submit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> =>
    Effect.suspend((): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> => {
      if (this.closed) return poolShutDown
      this.blocked.fill(false)
      if (isCall(effect)) return Effect.succeed(this.enqueue(effect) as unknown as Future.Future<A, E>)
      return this.fibers.submitUnbounded(Effect.provideService(effect, currentRouter, this.router))
    })

  readonly map = <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
    Effect.withFiber((caller) => {
      if (!this.closed) this.blocked.fill(false)
      const carry = this.fibers.carrier(caller)
      return mapWindow(items, f, {
        window: this.concurrency * Protocol.CELLS,
        start: (effect) =>
          isCall(effect)
            ? this.enqueue(effect) as unknown as FutureImpl<B, E>
            : this.fibers.submitNow(carry(Effect.provideService(effect, currentRouter, this.router))),
        closed: () => this.closed,
        cancelled: () => this.cancelledFutures
      })
    })

  readonly mapStream: Executor.Executor["mapStream"] = (items, f) =>
    mapStream(this.submit, this.concurrency, () => this.cancelledFutures)(items, f)

  /**
   * Cancels, in this one step, the calls queued on a worker and those waiting in the line, and
   * the main-thread effects not started: none of them starts, whatever runs next.
   */
  private cancelWaiting(): void {
    this.cancelledFutures = true
    this.fibers.cancelPending()
    for (const thread of this.threads) thread?.cancelQueued()
    for (const future of [...this.live]) future.cancelIfPending(this.runFork)
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
      Effect.andThen(this.stopAll)
    )
  })

  readonly shutdown = (options?: Executor.Executor.ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      if (options?.cancelFutures === true) this.cancelWaiting()
      // the workers end once every accepted task has ended, those a running map starts meanwhile included
      const drain = Effect.andThen(
        Effect.andThen(
          this.fibers.shutdown({ wait: false, cancelFutures: options?.cancelFutures }),
          awaitIdle(this.live, this.fibers.live)
        ),
        this.stopAll
      )
      return options?.wait === false ? Effect.asVoid(Effect.forkDetach(drain)) : drain
    })

  readonly running: Effect.Effect<number> = Effect.suspend(() =>
    Effect.map(this.fibers.running, (fibers) => {
      let sent = 0
      for (const future of this.live) if (!future.isPending) sent++
      return fibers + sent
    })
  )

  readonly pending: Effect.Effect<number> = Effect.suspend(() =>
    Effect.map(this.fibers.pending, (fibers) => {
      let waiting = 0
      for (const future of this.live) if (future.isPending) waiting++
      return fibers + waiting
    })
  )

  readonly threadCount: Effect.Effect<number> = Effect.sync(() =>
    this.threads.filter((thread) => thread !== undefined && thread.state !== "stopped").length
  )
}

/** @internal */
export const make = (
  options: Api.WorkerPool.Options
): Effect.Effect<Api.WorkerPool, InvalidOptions | WorkerSpawnFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* settingsOf(options)
    const pool = new WorkerPoolImpl(settings, yield* Effect.context<never>())
    // a scope that succeeded waits for every accepted task, then ends the workers; one that
    // failed or was interrupted stops the tasks first
    yield* Effect.addFinalizer((exit) => Exit.isSuccess(exit) ? pool.shutdown({ wait: true }) : pool.abort)
    yield* pool.start
    return pool as Executor.Executor as Api.WorkerPool
  })
