import * as NodeWorker from "@effect/platform-node/NodeWorker"
import * as Worker from "@effect/platform/Worker"
import type { WorkerError } from "@effect/platform/WorkerError"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import { pipeArguments } from "effect/Pipeable"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import * as os from "node:os"
import { InvalidOptions, PoolShutDown, WorkerCrashed, WorkerSpawnFailed } from "../Errors.js"
import type * as Executor from "../Executor.js"
import type * as Future from "../Future.js"
import type * as Api from "../WorkerPool.js"
import { counter, FiberPoolImpl } from "./fiberPool.js"
import { FutureImpl } from "./future.js"
import { mapStream } from "./mapStream.js"
import { isCancelled, mapWindow } from "./mapWindow.js"
import * as Protocol from "./workerProtocol.js"
import { decode, describeExit, type Job, type Sent, Thread, WorkerRecording } from "./workerSlot.js"
import { type CallImpl, currentRouter, isCall, type Router } from "./workerTask.js"
import { resolveModule, spawnThread, type ThreadOptions } from "./workerThread.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/WorkerPool") as Api.TypeId

const poolShutDown = Effect.fail(new PoolShutDown())

interface Settings {
  readonly size: number
  readonly maxTasksPerWorker: number | undefined
  readonly spawnTimeout: Duration.Duration
  readonly module: string
  readonly data: Protocol.WorkerData
  readonly threadOptions: ThreadOptions
  readonly initializer: { readonly name: string; readonly payload: unknown } | undefined
  /** Where each call that ran on a worker is reported; `undefined`: nowhere. */
  readonly recorder: Recorder.Recorder | undefined
  readonly name: string | undefined
}

/**
 * Calls wait in one FIFO line; each worker takes from it while it holds fewer than its depth.
 * A worker that dies fails only the job it was running (`WorkerCrashed`); the jobs queued
 * behind it go back to the front of the line, and a replacement starts. Cancelling a job queued
 * on a worker is a compare-and-swap on its cell (the worker skips it); cancelling the running
 * job terminates the worker. Effects that are not calls run on the main thread in a FiberPool
 * of `size` fibers, with the calls they make routed to this pool's workers.
 *
 * Under a recorder, each call that ran on a worker thread is recorded (source `"WorkerPool"`,
 * lane `worker <slot>`). Calls that never reached a worker — cancelled while waiting, a payload
 * that cannot be sent, no worker able to start — are not; nor are the main-thread effects: their
 * FiberPool is made without a recorder, and the calls they make are recorded as calls.
 *
 * @internal
 */
export class WorkerPoolImpl implements Api.WorkerPool {
  readonly [TypeId]: Api.TypeId = TypeId
  readonly size: number
  private line: Array<Job | undefined> = []
  private head = 0
  private readonly live = new Set<FutureImpl<unknown, unknown>>()
  private readonly threads: Array<Thread | undefined>
  /** A slot whose last start failed is not tried again before the next submission. */
  private readonly blocked: Array<boolean>
  private closed = false
  private stopped = false
  /** Why the last worker start failed. */
  private spawnFailure: WorkerSpawnFailed | undefined = undefined
  private scheduled = false
  private readonly nextId = counter()
  private readonly fibers: FiberPoolImpl
  private readonly runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>
  private readonly router: Router = (call) => this.runCall(call)
  private readonly recording: WorkerRecording | undefined

  constructor(
    private readonly settings: Settings,
    private readonly platform: Worker.PlatformWorker,
    runtime: Runtime.Runtime<never>
  ) {
    this.size = settings.size
    this.threads = new Array(settings.size).fill(undefined)
    this.blocked = new Array(settings.size).fill(false)
    this.runFork = Runtime.runFork(runtime)
    // no recorder: the main-thread effects are not this pool's tasks (their calls are)
    this.fibers = new FiberPoolImpl(settings.size, runtime, this.nextId)
    const recorder = settings.recorder
    this.recording = recorder === undefined
      ? undefined
      : new WorkerRecording(recorder, Recorder.groupName("WorkerPool", settings.name), settings.size)
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  // ---- the line -------------------------------------------------------------------------

  private enqueue(call: CallImpl<unknown, unknown>): FutureImpl<unknown, unknown> {
    const future = new FutureImpl<unknown, unknown>(this.nextId())
    this.live.add(future)
    future.whenSettled = () => this.live.delete(future)
    this.line.push({ future, call, queuedAt: this.recording === undefined ? 0 : this.recording.recorder.now() })
    this.schedule()
    return future
  }

  /** The next job in the line, skipping those cancelled while waiting. */
  private next(): Job | undefined {
    while (this.head < this.line.length) {
      const job = this.line[this.head]!
      this.line[this.head++] = undefined
      if (this.head > 1024 && this.head * 2 > this.line.length) {
        this.line.splice(0, this.head)
        this.head = 0
      }
      if (job.future.start()) return job
    }
    return undefined
  }

  private get waiting(): boolean {
    return this.head < this.line.length
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
    for (let slot = 0; slot < this.threads.length; slot++) {
      const thread = this.threads[slot]
      if (thread === undefined) {
        if (!this.blocked[slot] && (!this.closed || this.waiting)) this.runFork(Effect.ignore(this.spawn(slot)))
      } else if (thread.state === "ready") {
        ready.push(thread)
      }
    }
    if (ready.length === 0) return this.failIfNoWorker()
    if (!this.waiting) this.steal(ready)
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
    for (const [thread, batch] of batches) this.send(thread, batch)
    for (const thread of ready) {
      if (this.settings.maxTasksPerWorker !== undefined && thread.taken >= this.settings.maxTasksPerWorker) {
        thread.state = "retiring"
        if (thread.inFlight === 0) this.retire(thread)
      }
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
    job.future.attach(() => this.cancelSent(thread, sent))
    return { seq, cell, payload }
  }

  /**
   * The line is empty and a worker is idle while another has jobs queued that it has not
   * started (a long task holds them up): half of those move back to the line, to be taken by
   * the idle worker. A compare-and-swap on each job's cell makes sure the busy worker skips it.
   */
  private steal(ready: ReadonlyArray<Thread>): void {
    if (!ready.some((thread) => thread.inFlight === 0)) return
    for (const victim of ready) {
      const queued: Array<Sent> = []
      for (let at = victim.sentHead; at < victim.sent.length; at++) {
        const sent = victim.sent[at]!
        if (!sent.moved && Atomics.load(victim.cells, sent.cell) === Protocol.QUEUED) queued.push(sent)
      }
      const moving: Array<Job> = []
      for (const sent of queued.slice(queued.length - Math.ceil(queued.length / 2))) {
        if (Atomics.compareExchange(victim.cells, sent.cell, Protocol.QUEUED, Protocol.CANCELLED) !== Protocol.QUEUED) {
          continue
        }
        sent.moved = true
        victim.taken--
        if (sent.job.future.unstart()) moving.push(sent.job)
      }
      if (moving.length > 0) this.line.splice(this.head, 0, ...moving)
    }
  }

  /**
   * Posts a batch. A payload `postMessage` cannot clone fails the whole message; then each job
   * goes alone, and only those that cannot be sent fail.
   */
  private send(thread: Thread, batch: Array<unknown>): void {
    try {
      thread.send!([Protocol.RUN, batch])
      return
    } catch {
      // one by one below
    }
    for (let at = 0; at < batch.length; at += Protocol.STRIDE) {
      try {
        thread.send!([Protocol.RUN, batch.slice(at, at + Protocol.STRIDE)])
      } catch (error) {
        const index = thread.sent.findIndex((sent) => sent.seq === batch[at])
        const [sent] = thread.sent.splice(index, 1)
        thread.freeCells.push(sent!.cell)
        thread.taken--
        this.settle(sent!.job.future, Exit.die(error))
      }
    }
    this.schedule() // the places those jobs held are free
  }

  private settle(future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>): void {
    const callbacks = future.settleNow(exit)
    if (callbacks !== undefined) this.runFork(callbacks)
  }

  /**
   * Settles a job that ran on `thread`, recorded first. `runMillis`: its run time as the worker
   * measured it, `undefined` when it did not reply.
   */
  private finish(thread: Thread, sent: Sent, exit: Exit.Exit<unknown, unknown>, runMillis: number | undefined): void {
    if (this.recording !== undefined) this.recording.record(thread.slot, sent, exit, runMillis)
    this.settle(sent.job.future, exit)
  }

  // ---- replies ---------------------------------------------------------------------------

  private receive(thread: Thread, message: Worker.BackingWorker.Message<Protocol.Response>): Effect.Effect<void> {
    return Effect.sync(() => {
      if (message[0] === 0) return // the platform's own "listening"
      const response = message[1]
      switch (response[0]) {
        case Protocol.READY:
          return Deferred.unsafeDone(thread.ready, Exit.void)
        case Protocol.INIT_FAILED:
          return Deferred.unsafeDone(thread.ready, Exit.fail(response[1]))
        case Protocol.RESULTS:
          return this.results(thread, response[1])
      }
    })
  }

  private results(thread: Thread, flat: ReadonlyArray<unknown>): void {
    for (let at = 0; at < flat.length; at += Protocol.STRIDE) {
      const sent = thread.shift()
      if (sent === undefined || sent.seq !== flat[at]) continue // cannot happen: replies come in order
      if (sent.moved) continue
      const status = flat[at + 1] as number
      const value = flat[at + 2]
      if (status === Protocol.SKIPPED) {
        // cancelled before it started (and settled then): it never ran
        this.settle(sent.job.future, decode(sent.job.call, status, value))
        continue
      }
      const micros = Math.max(1, flat[at + 3] as number)
      thread.micros = thread.micros === 0 ? micros : thread.micros * 0.8 + micros * 0.2
      this.finish(thread, sent, decode(sent.job.call, status, value), micros / 1000)
    }
    if (thread.state === "retiring" && thread.inFlight === 0) this.retire(thread)
    this.schedule()
  }

  // ---- cancellation ----------------------------------------------------------------------

  /** Called by `Future.cancel` (which has marked the future cancelled) for a job sent to `thread`. */
  private cancelSent(thread: Thread, sent: Sent): void {
    const before = Atomics.compareExchange(thread.cells, sent.cell, Protocol.QUEUED, Protocol.CANCELLED)
    if (before === Protocol.QUEUED) {
      // it never starts: the worker skips it (its SKIPPED reply frees the cell later)
      this.settle(sent.job.future, Exit.interrupt(FiberId.none))
    } else if (before === Protocol.STARTED) {
      // it is running and CPU work cannot be interrupted: the worker goes, and `onExit`
      // settles the job as cancelled and puts a replacement in
      sent.cancelled = true
      void thread.worker?.terminate()
    }
    // FINISHED: its reply is on the way, and settles it as cancelled
  }

  /** Cancels the jobs sent to workers that have not started (for `shutdown({ cancelFutures: true })`). */
  private cancelQueued(): void {
    for (const thread of this.threads) {
      if (thread === undefined) continue
      for (let at = thread.sentHead; at < thread.sent.length; at++) {
        const sent = thread.sent[at]!
        if (sent.moved) continue
        if (Atomics.compareExchange(thread.cells, sent.cell, Protocol.QUEUED, Protocol.CANCELLED) === Protocol.QUEUED) {
          this.settle(sent.job.future, Exit.interrupt(FiberId.none))
        }
      }
    }
  }

  // ---- worker lifecycle ------------------------------------------------------------------

  private spawn(slot: number): Effect.Effect<void, WorkerSpawnFailed> {
    const thread = new Thread(slot)
    this.threads[slot] = thread
    const { initializer, spawnTimeout } = this.settings
    const start = Effect.gen(this, function*() {
      const backing = yield* this.platform.spawn<Protocol.Request, Protocol.Response>(slot).pipe(
        Effect.provideService(Worker.Spawner, () => {
          const worker = spawnThread(this.settings.data, this.settings.threadOptions)
          thread.worker = worker
          return worker
        })
      )
      thread.send = (message) => Effect.runSync(backing.send(message))
      thread.fiber = this.runFork(backing.run((message) => this.receive(thread, message)))
      thread.fiber.addObserver((exit) => this.onExit(thread, exit))
      thread.send([Protocol.INIT, thread.buffer, initializer?.name, initializer?.payload])
      yield* Deferred.await(thread.ready)
    })
    return start.pipe(
      Effect.timeoutFail({
        duration: spawnTimeout,
        onTimeout: () => `it did not call WorkerTask.serve within ${Duration.format(spawnTimeout)}`
      }),
      Effect.matchEffect({
        onSuccess: () =>
          Effect.sync(() => {
            if (thread.state !== "starting") return this.schedule() // it died meanwhile: replace it
            thread.state = "ready"
            this.schedule()
          }),
        onFailure: (reason) => {
          const error = new WorkerSpawnFailed({
            module: this.settings.module,
            reason: typeof reason === "string" ? reason : reason.message
          })
          return Effect.zipRight(Effect.sync(() => this.startFailed(thread, error)), Effect.fail(error))
        }
      })
    )
  }

  private startFailed(thread: Thread, error: WorkerSpawnFailed): void {
    this.stop(thread)
    this.blocked[thread.slot] = true
    this.spawnFailure = error
    this.failIfNoWorker()
  }

  /** No worker left and none starting: the line's jobs fail now instead of waiting for ever. */
  private failIfNoWorker(): void {
    const error = this.spawnFailure
    if (error === undefined || !this.threads.every((thread) => thread === undefined)) return
    for (let job = this.next(); job !== undefined; job = this.next()) this.settle(job.future, Exit.fail(error))
  }

  /** Takes `thread` out of its slot and ends it (at once: it runs nothing worth waiting for). */
  private stop(thread: Thread): void {
    if (thread.state === "stopped") return
    // a start in progress ends now, instead of waiting out the start-up timeout
    if (thread.state === "starting") Deferred.unsafeDone(thread.ready, Exit.fail("the pool stopped it"))
    thread.state = "stopped"
    if (this.threads[thread.slot] === thread) this.threads[thread.slot] = undefined
    void thread.worker?.terminate()
  }

  /** `maxTasksPerWorker` reached and every job answered: the worker ends, a fresh one starts. */
  private retire(thread: Thread): void {
    this.stop(thread)
    this.schedule()
  }

  /** The worker ended: a crash, a terminate by `cancel`, or a stop. */
  private onExit(thread: Thread, exit: Exit.Exit<never, WorkerError>): void {
    const reason = describeExit(exit)
    if (thread.state === "starting") {
      // before `stop`, which would end the start with its own reason
      Deferred.unsafeDone(thread.ready, Exit.fail(`it ended before it was ready: ${reason}`))
      this.stop(thread) // also if it was ready and `spawn` has not seen it yet: that thread is gone
      return
    }
    this.stop(thread)
    const requeue: Array<Job> = []
    for (let sent = thread.shift(); sent !== undefined; sent = thread.shift()) {
      if (sent.moved) continue
      const state = Atomics.load(thread.cells, sent.cell)
      const future = sent.job.future
      if (state === Protocol.QUEUED && future.unstart()) {
        requeue.push(sent.job) // never started: it runs on another worker
      } else {
        // it was running (or finished, its result lost with the worker); a cancelled one ends cancelled
        const exit = sent.cancelled
          ? Exit.interrupt(FiberId.none)
          : Exit.fail(new WorkerCrashed({ task: sent.job.call.task.name, reason }))
        if (state === Protocol.STARTED || state === Protocol.FINISHED) this.finish(thread, sent, exit, undefined)
        else this.settle(future, exit) // cancelled before it started: settled already, never ran
      }
    }
    if (requeue.length > 0) this.line.splice(this.head, 0, ...requeue)
    this.schedule()
  }

  /** Ends every worker now. */
  private readonly stopAll = Effect.suspend(() => {
    this.stopped = true
    const threads = this.threads.filter((thread) => thread !== undefined)
    return Effect.forEach(threads, (thread) => {
      const worker = thread.worker
      this.stop(thread)
      return worker === undefined ? Effect.void : Effect.promise(() => worker.terminate())
    }, { discard: true, concurrency: "unbounded" })
  })

  /** Starts every worker; fails if one cannot start. */
  readonly start: Effect.Effect<void, WorkerSpawnFailed> = Effect.suspend(() =>
    Effect.forEach(this.threads, (_, slot) => this.spawn(slot), { discard: true, concurrency: "unbounded" })
  ).pipe(Effect.tapError(() => this.stopAll))

  // ---- Executor --------------------------------------------------------------------------

  /** A call made by an effect this pool runs: sent to a worker; interrupting it cancels it. */
  private runCall(call: CallImpl<unknown, unknown>): Effect.Effect<unknown, unknown> {
    return Effect.async<unknown, unknown>((resume) => {
      // the pool has ended (a fiber outlived the task that forked it): the call cannot run
      if (this.stopped) return resume(Effect.interrupt)
      const future = this.enqueue(call)
      // cancelled by the pool (shutdown with cancelFutures): the call is interrupted
      future.observe((exit) => resume(isCancelled(exit) ? Effect.interrupt : exit))
      return Effect.asVoid(future.cancel)
    })
  }

  readonly submit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> =>
    Effect.suspend((): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> => {
      if (this.closed) return poolShutDown
      this.blocked.fill(false)
      if (isCall(effect)) return Effect.succeed(this.enqueue(effect) as unknown as Future.Future<A, E>)
      return this.fibers.submit(Effect.locally(effect, currentRouter, this.router))
    })

  readonly map = <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
    Effect.flatMap(Effect.context<R>(), (context) =>
      Effect.suspend(() => {
        if (this.closed) return poolShutDown
        this.blocked.fill(false)
        return mapWindow(items, f, {
          window: this.size * Protocol.CELLS,
          start: (effect) =>
            isCall(effect)
              ? this.enqueue(effect) as unknown as FutureImpl<B, E>
              : this.fibers.submitNow(Effect.provide(Effect.locally(effect, currentRouter, this.router), context)),
          closed: () => this.closed
        })
      }))

  readonly mapStream: Executor.Executor["mapStream"] = (items, f) => mapStream(this.submit, this.size)(items, f)

  readonly shutdown = (options?: Executor.Executor.ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      const cancel = options?.cancelFutures === true
        ? Effect.zipRight(
          Effect.sync(() => this.cancelQueued()),
          Effect.forEach([...this.live].filter((future) => future.isPending), (future) => future.cancel, {
            discard: true
          })
        )
        : Effect.void
      // the workers end once every accepted task has ended
      const drain = Effect.zipRight(
        Effect.zipRight(
          this.fibers.shutdown({ wait: true, cancelFutures: options?.cancelFutures }),
          Effect.suspend(() => Effect.forEach([...this.live], (future) => future.await, { discard: true }))
        ),
        this.stopAll
      )
      return Effect.zipRight(cancel, options?.wait === false ? Effect.asVoid(Effect.forkDaemon(drain)) : drain)
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

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "WorkerPool.make", field, expected, value })

/** @internal */
export const make = (
  options: Api.WorkerPool.Options
): Effect.Effect<Api.WorkerPool, InvalidOptions | WorkerSpawnFailed, Scope.Scope> =>
  Effect.gen(function*() {
    const size = options.size ?? os.availableParallelism()
    if (!Number.isSafeInteger(size) || size < 1) return yield* invalid("size", "an integer ≥ 1", size)
    const max = options.maxTasksPerWorker
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
      return yield* invalid("maxTasksPerWorker", "an integer ≥ 1", max)
    }
    const spawnTimeout = Duration.decode(options.spawnTimeout ?? "20 seconds")
    if (!Duration.greaterThan(spawnTimeout, Duration.zero)) {
      return yield* invalid("spawnTimeout", "a positive duration", options.spawnTimeout)
    }
    const module = String(options.module)
    const data = resolveModule(options.module)
    if (data._tag === "Left") return yield* new WorkerSpawnFailed({ module, reason: data.left })
    let initializer: Settings["initializer"] = undefined
    if (options.initializer !== undefined) {
      const call = options.initializer
      if (!isCall(call)) return yield* invalid("initializer", "a WorkerTask call", call)
      initializer = { name: call.task.name, payload: call.task.payloadCodec.encode(call.payload) }
    }
    const platform = yield* Effect.provide(Worker.PlatformWorker, NodeWorker.layerWorker)
    const pool = new WorkerPoolImpl(
      {
        size,
        maxTasksPerWorker: max,
        spawnTimeout,
        module,
        data: data.right,
        threadOptions: { resourceLimits: options.resourceLimits },
        initializer,
        recorder: yield* Recorder.current,
        name: options.name
      },
      platform,
      yield* Effect.runtime<never>()
    )
    // closing the scope waits for every accepted task, then ends the workers
    yield* Effect.addFinalizer(() => pool.shutdown({ wait: true }))
    yield* pool.start
    return pool
  })
