import * as Fifo from "@fiberkit/sync/Fifo"
import * as Recorder from "@fiberkit/sync/Recorder"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { pipeArguments } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import * as os from "node:os"
import { FutureCancelled, InvalidOptions, PoolShutDown } from "../Errors.js"
import type * as Executor from "../Executor.js"
import type * as Api from "../FiberPool.js"
import type * as Future from "../Future.js"
import { FutureImpl } from "./future.js"
import { LiveFutures } from "./liveFutures.js"
import { mapStream } from "./mapStream.js"
import { awaitAll } from "./wait.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/FiberPool") as Api.TypeId

/** Python's default for I/O-bound pools: `min(32, cpus + 4)`. @internal */
export const defaultConcurrency = (): number => Math.min(32, os.availableParallelism() + 4)

const poolShutDown = Effect.fail(new PoolShutDown())

/** 0, 1, 2 … @internal */
export const counter = (): () => number => {
  let next = 0
  return () => next++
}

/**
 * A submitted task: its future, which carries what the worker needs to run it — one object per
 * pending task.
 */
class Job<A = unknown, E = unknown> extends FutureImpl<A, E> {
  constructor(
    id: number,
    readonly run: Effect.Effect<A, E>,
    /** The context it runs with (its caller's); the pool's if none. */
    readonly context: Context.Context<never> | undefined,
    /** When it was submitted, on the recorder's clock (0 without a recorder). */
    readonly queuedAt: number
  ) {
    super(id)
  }
}

/**
 * What a pool made under a recorder reports: each job's times, outcome and worker. Workers are
 * numbered by the lowest free slot, so a chart has at most `concurrency` rows.
 */
class PoolRecording {
  private readonly slots: Array<boolean> = []
  /** `worker N` for each slot, made once. */
  private readonly lanes: Array<string> = []
  constructor(readonly recorder: Recorder.Recorder, readonly group: string) {}

  takeSlot(): number {
    let slot = this.slots.indexOf(false)
    if (slot < 0) {
      slot = this.slots.length
      this.lanes[slot] = `worker ${slot}`
    }
    this.slots[slot] = true
    return slot
  }

  freeSlot(slot: number): void {
    this.slots[slot] = false
  }

  record(job: Job, slot: number, startedAt: number, endedAt: number, exit: Exit.Exit<unknown, unknown>): void {
    this.recorder.record({
      source: "FiberPool",
      group: this.group,
      lane: this.lanes[slot],
      label: `#${job.id}`,
      queuedAt: job.queuedAt,
      startedAt,
      endedAt,
      outcome: Recorder.outcomeOf(exit)
    })
  }
}

/**
 * Submitted tasks wait in one FIFO line of jobs; at most `concurrency` of them run, each in its
 * own fiber, started when a worker is free — so a pending task costs a small object, not a
 * fiber, and a cancelled pending task is simply skipped. `map` submits `min(concurrency, items)`
 * lanes through the same line; each lane pulls the next item until none is left, so a huge
 * input does not create a task per item, and `map` and `submit` share the worker limit.
 *
 * @internal
 */
export class FiberPoolImpl implements Api.FiberPool {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly jobs = new Fifo.Fifo<Job>()
  private active = 0
  /** Futures not settled yet, pending or running (a WorkerPool's graceful shutdown waits for them). */
  readonly live = new LiveFutures()
  private closed = false
  /**
   * Set by `shutdown({ cancelFutures: true })` and `abort`: what has not started never will — a
   * running `map` starts no more items, and a task cancelled then ends its map as `PoolShutDown`.
   */
  private cancelledFutures = false

  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.Fiber<A, E>

  /**
   * @param nextId numbers the futures; a WorkerPool shares its own with the FiberPool that runs
   * its effects, so that every future it returns has its own id.
   */
  private readonly recording: PoolRecording | undefined

  constructor(
    readonly concurrency: number,
    private readonly context: Context.Context<never>,
    private readonly nextId = counter(),
    recording?: { readonly recorder: Recorder.Recorder; readonly group: string } | undefined
  ) {
    this.runFork = Effect.runForkWith(context)
    this.recording = recording === undefined ? undefined : new PoolRecording(recording.recorder, recording.group)
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  private enqueue<A, E>(run: Effect.Effect<A, E>, context?: Context.Context<never>): FutureImpl<A, E> {
    const job = new Job<A, E>(
      this.nextId(),
      run,
      context,
      this.recording === undefined ? 0 : this.recording.recorder.now()
    )
    this.live.add(job as Job)
    this.jobs.push(job as Job)
    return job
  }

  /** The next job to run, in submission order, skipping those cancelled while pending. */
  private next(): Job | undefined {
    while (this.jobs.length > 0) {
      const job = this.jobs.shift()
      if (job.start()) return job
    }
    return undefined
  }

  private hasPending(): boolean {
    for (let i = 0; i < this.jobs.length; i++) if (this.jobs.at(i).isPending) return true
    return false
  }

  /** Starts workers while some are missing and jobs wait (synchronously, in the same step as the enqueue). */
  private dispatch(): void {
    while (this.active < this.concurrency && this.hasPending()) this.startWorker()
  }

  /**
   * A worker: a long-lived fiber that runs jobs one after another until none is left, then
   * retires. Cancelling a running job interrupts its worker, which settles the job as cancelled;
   * a replacement starts if jobs still wait. Workers are started with the context the pool was
   * made in, not forked from whichever fiber dispatches them (a fiber that dispatches may be
   * about to end; its children would be tied to it).
   */
  private startWorker(): void {
    this.active++
    const recording = this.recording
    const slot = recording === undefined ? -1 : recording.takeSlot()
    // the start of the job taken next: the end of the one before, or now for the first
    let startedAt = recording === undefined ? 0 : recording.recorder.now()
    const worker: { job: Job | undefined; idle: boolean } = { job: undefined, idle: false }
    // made once per worker, not per job: what cancels the job it runs, and what follows a job
    let interrupt: ((future: FutureImpl<unknown, unknown>) => void) | undefined = undefined
    const afterJob = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> => {
      const job = worker.job!
      if (recording !== undefined) {
        const endedAt = recording.recorder.now()
        recording.record(job, slot, startedAt, endedAt, exit)
        startedAt = endedAt
      }
      // settled and forgotten in the step the job ended in: a cancel that arrives now finds the
      // job done, or its interruption ends this worker before it takes another job
      this.settle(job, exit)
      worker.job = undefined
      return loop
    }
    // runFork starts running the worker at once, so it finds its own fiber for `cancel` itself
    const loop: Effect.Effect<void> = Effect.withFiber((fiber) => {
      const job = this.next()
      if (job === undefined) {
        fiber.setContext(this.context)
        if (!worker.idle) {
          // out of work: look once more after the caller's next steps, before retiring. On
          // Effect 4 a worker runs at once, inside the `submit` that starts it: without this a
          // caller submitting many tasks would start a fiber for each, which runs its one task
          // and retires before the next `submit`
          worker.idle = true
          return Effect.andThen(Effect.yieldNow, loop)
        }
        this.active-- // retire: decided in the same step as finding no job, so no job is stranded
        if (recording !== undefined) recording.freeSlot(slot)
        return Effect.void
      }
      worker.idle = false
      worker.job = job
      job.attach(
        interrupt ??= (future) => {
          // only the job it runs now: a late cancel must not hit the next one
          if (worker.job === future) fiber.interruptUnsafe(fiber.id)
        }
      )
      // the job runs with its caller's context, as a fiber the caller forked would
      fiber.setContext(job.context ?? this.context)
      return Effect.flatMap(Effect.exit(job.run), afterJob)
    })
    this.runFork(Effect.onExit(loop, (exit) => {
      if (Exit.isSuccess(exit)) return Effect.void
      // interrupted (a cancel): settle the job it was running, then let another worker take over
      this.active--
      const job = worker.job
      if (recording !== undefined) {
        if (job !== undefined) recording.record(job, slot, startedAt, recording.recorder.now(), exit)
        recording.freeSlot(slot)
      }
      return Effect.sync(() => {
        if (job !== undefined) this.settle(job, exit)
        this.dispatch()
      })
    }))
  }

  /**
   * Settles `future` now; its `onDone` callbacks then run in a fiber of their own, once, after
   * the outcome is visible — never in the worker, which a slow callback would hold up.
   */
  private settle(future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    future.settleNow(exit, this.runFork)
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

  readonly submit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> =>
    Effect.withFiber((caller) => {
      if (this.closed) return poolShutDown
      // the caller's context goes with the job (its worker switches to it), not as a wrapper
      const future = this.enqueue(effect as Effect.Effect<A, E>, caller.context)
      this.dispatch()
      return Effect.succeed(future)
    })

  /** Queues `run` and returns its future at once, without the shutdown check (for tasks a WorkerPool accepted). */
  submitNow<A, E>(run: Effect.Effect<A, E>): FutureImpl<A, E> {
    const future = this.enqueue(run)
    this.dispatch()
    return future
  }

  readonly map = <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
    Effect.withFiber((caller) =>
      // uninterruptible from enqueuing the lanes to watching them, so that no interruption
      // can leave lanes behind
      Effect.uninterruptibleMask((restore): Effect.Effect<Array<B>, E | PoolShutDown> => {
        if (this.closed) return poolShutDown
        const inputs = Array.from(items)
        const results: Array<B> = new Array(inputs.length)
        let next = 0
        // a lane takes no more items once the pool cancels what has not started
        const lane = this.carrier(caller)(
          Effect.whileLoop({
            while: () => next < inputs.length && !this.cancelledFutures,
            body: () => {
              const index = next++
              return Effect.map(f(inputs[index]!, index), (value) => {
                results[index] = value
              })
            },
            step: () => {}
          })
        )
        const lanes = Array.from({ length: Math.min(this.concurrency, inputs.length) }, () => this.enqueue(lane))
        const stopAll = Effect.forEach(lanes, (future) => future.cancel, { discard: true })
        this.dispatch()
        // one wait on every lane, not a concurrent `Effect.forEach` over `lane.result`: in effect
        // 3.22 a concurrent `forEach` interrupted before its first child has started waits for
        // ever (its uninterruptible processing fiber then finds no item left to start, and waits
        // for children it never started)
        return restore(awaitAll(lanes)).pipe(
          // a lane cancelled by `shutdown({ cancelFutures: true })` ends the map as shut down; one
          // whose item interrupted itself (on a pool that cancelled nothing), as interrupted
          Effect.catchIf(
            (error): error is FutureCancelled => error instanceof FutureCancelled,
            () => this.cancelledFutures ? poolShutDown : Effect.interrupt
          ),
          Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : stopAll)),
          // items left that no lane took: the pool cancelled them
          Effect.andThen(Effect.suspend(() => next < inputs.length ? poolShutDown : Effect.succeed(results)))
        )
      })
    )

  readonly mapStream: Executor.Executor["mapStream"] = (items, f) =>
    mapStream(this.submit, this.concurrency, () => this.cancelledFutures)(items, f)

  readonly shutdown = (options?: Executor.Executor.ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      const live = [...this.live]
      // the pending ones cancelled in this step: a worker freed meanwhile finds none to start
      if (options?.cancelFutures === true) this.cancelPending()
      return options?.wait === false ? Effect.void : Effect.forEach(live, (future) => future.await, { discard: true })
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

  readonly pending: Effect.Effect<number> = Effect.sync(() => {
    let n = 0
    for (const future of this.live) if (future.isPending) n++
    return n
  })
}

/** @internal */
export const make = (options?: Api.FiberPool.Options): Effect.Effect<Api.FiberPool, InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const concurrency = options?.concurrency ?? defaultConcurrency()
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
      return yield* new InvalidOptions({
        operation: "FiberPool.make",
        field: "concurrency",
        expected: "an integer ≥ 1",
        value: concurrency
      })
    }
    const recorder = yield* Recorder.current
    const pool = new FiberPoolImpl(
      concurrency,
      yield* Effect.context<never>(),
      counter(),
      recorder === undefined ? undefined : { recorder, group: yield* Recorder.groupName("FiberPool", options?.name) }
    )
    // a scope that succeeded closes gracefully: every accepted task runs to its end; one that
    // failed or was interrupted stops them (its owner will not use their results, and a task
    // waiting for the owner would otherwise keep the close waiting for ever)
    yield* Effect.addFinalizer((exit) => Exit.isSuccess(exit) ? pool.shutdown({ wait: true }) : pool.abort)
    return pool
  })
