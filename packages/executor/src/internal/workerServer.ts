import * as Fifo from "@fiberkit/sync/Fifo"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Tracer from "effect/Tracer"
import * as WorkerThreads from "node:worker_threads"
import type * as Api from "../WorkerTask.js"
import * as Protocol from "./workerProtocol.js"
import { type AnyTask, defectCodec, taskOf } from "./workerTask.js"
import { ParentSpans } from "./workerTrace.js"

/**
 * The worker side: runs the tasks it is sent one after another, in order, each unless the pool
 * cancelled it first (a compare-and-swap on its shared cell, so a cancel needs no message and no
 * free event loop). Each result is sent as soon as its task ends, before the next one starts, so
 * a task that crashes the thread takes no finished result down with it. On CLOSE it starts no
 * more tasks, interrupts the initializer if it runs, and once the task running (if any) has
 * ended, calls `close`; it calls it too when the initializer fails (the worker will not start).
 * A task submitted under a span runs with that span (the pool's `WorkerPool.call` span) as its
 * parent, so the spans it opens belong to the submitter's trace, recorded by this thread's tracer.
 */
class TaskServer {
  /** Entries of `Protocol.STRIDE` items each: seq, cell, task name, payload. */
  private readonly queue = new Fifo.Fifo<unknown>()
  /** The parent spans of the tasks queued that were submitted under a span. */
  private readonly parents = new ParentSpans()
  private busy = false
  /** Replies not sent yet: skipped tasks wait to go with the next result. */
  private replies: Array<unknown> = []
  private closing = false
  /** The initializer's fiber while it runs. */
  private initializing: Fiber.Fiber<unknown, unknown> | undefined = undefined
  constructor(
    private readonly cells: Int32Array,
    private readonly tasks: ReadonlyMap<string, AnyTask>,
    private readonly runFork: <A, E>(effect: Effect.Effect<A, E, unknown>) => Fiber.Fiber<A, E>,
    private readonly send: (message: Protocol.Response) => void,
    private readonly close: () => void
  ) {}

  receive(message: Protocol.Request): void {
    if (message[0] === Protocol.INIT) return this.init(message[1], message[2])
    if (message[0] === Protocol.CLOSE) {
      this.closing = true
      // the pool has given up on this worker's start: the initializer need not finish
      this.initializing?.interruptUnsafe()
      if (!this.busy) this.close()
      return
    }
    if (message[0] === Protocol.RUN) {
      for (const entry of message[1]) this.queue.push(entry)
      if (message.length === 3) this.parents.add(message[2])
    }
    // RUN, or RESUME after a halt that ended without a terminate
    if (!this.busy) this.drain()
  }

  private init(initializer: string | undefined, payload: unknown): void {
    if (initializer === undefined) return this.send([Protocol.READY])
    const task = this.tasks.get(initializer)
    if (task === undefined) {
      this.send([Protocol.INIT_FAILED, `the initializer "${initializer}" is not served`])
      return this.close()
    }
    this.busy = true
    this.initializing = this.start(task, payload, (exit) => {
      this.initializing = undefined
      if (Exit.isSuccess(exit)) {
        this.send([Protocol.READY])
      } else {
        this.send([Protocol.INIT_FAILED, `the initializer failed: ${Cause.pretty(exit.cause)}`])
        this.closing = true // the worker will not start: `serve` ends, releasing its layer
      }
      this.drain()
    })
  }

  /**
   * Runs the task (under `parent`, when it was submitted under a span); `done` is called with its
   * exit, at once if it did not suspend. Returns its fiber if it did.
   */
  private start(
    task: AnyTask,
    payload: unknown,
    done: (exit: Exit.Exit<unknown, unknown>) => void,
    parent?: Tracer.AnySpan
  ): Fiber.Fiber<unknown, unknown> | undefined {
    const run = Effect.suspend(() => task.run(task.payloadCodec.decode(payload)))
    const fiber = this.runFork(parent === undefined ? run : Effect.withParentSpan(run, parent))
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      done(exit)
      return undefined
    }
    fiber.addObserver(done)
    return fiber
  }

  private drain(): void {
    this.busy = true
    const queue = this.queue
    const cells = this.cells
    // halted: the pool may be terminating this worker for a cancel, so no task starts (see HALT)
    while (queue.length > 0 && Atomics.load(cells, Protocol.HALT) === 0) {
      const seq = queue.shift() as number
      const cell = queue.shift() as number
      const name = queue.shift() as string
      const payload = queue.shift()
      const parent = this.parents.take(seq)
      if (Atomics.compareExchange(cells, cell, Protocol.QUEUED, Protocol.STARTED) !== Protocol.QUEUED) {
        this.replies.push(seq, Protocol.SKIPPED, undefined, 0)
        continue
      }
      const task = this.tasks.get(name)
      if (task === undefined) {
        Atomics.store(cells, cell, Protocol.FINISHED)
        const error = new Error(`the worker module does not serve the task "${name}"`)
        this.replies.push(seq, Protocol.DIED, defectCodec.encode(error), 0)
        this.flush()
        continue
      }
      const startedAt = performance.now()
      let suspended = false // set after `start` returns: its callback runs inside it when the task did not suspend
      suspended = this.start(task, payload, (exit) => {
        Atomics.store(cells, cell, Protocol.FINISHED)
        this.reply(seq, task, exit, startedAt)
        // sent before the next task starts: if that one crashes the thread, this result is safe
        this.flush()
        if (suspended) this.drain()
      }, parent) !== undefined
      if (suspended) return // the queue goes on when this task ends
    }
    this.busy = false
    this.flush()
    if (this.closing) this.close()
  }

  private reply(seq: number, task: AnyTask, exit: Exit.Exit<unknown, unknown>, startedAt: number): void {
    const micros = Math.round((performance.now() - startedAt) * 1000)
    let status: number
    let value: unknown
    try {
      if (Exit.isSuccess(exit)) {
        status = Protocol.SUCCEEDED
        value = task.successCodec.encode(exit.value)
      } else {
        const failure = Cause.findErrorOption(exit.cause)
        if (Option.isSome(failure)) {
          status = Protocol.FAILED
          value = task.failureCodec.encode(failure.value)
        } else if (Cause.hasInterruptsOnly(exit.cause)) {
          status = Protocol.INTERRUPTED
          value = undefined
        } else {
          status = Protocol.DIED
          value = defectCodec.encode(Cause.squash(exit.cause))
        }
      }
    } catch (error) {
      status = Protocol.DIED
      value = defectCodec.encode(error)
    }
    this.replies.push(seq, status, value, micros)
  }

  private flush(): void {
    if (this.replies.length === 0) return
    const replies = this.replies
    this.replies = []
    try {
      this.send([Protocol.RESULTS, replies])
      return
    } catch {
      // a value postMessage cannot clone: each reply alone, below
    }
    for (let at = 0; at < replies.length; at += Protocol.STRIDE) {
      const reply = replies.slice(at, at + Protocol.STRIDE)
      try {
        this.send([Protocol.RESULTS, reply])
      } catch (error) {
        const cause = new Error(`the task's result could not be sent to the main thread: ${String(error)}`)
        this.send([Protocol.RESULTS, [reply[0], Protocol.DIED, defectCodec.encode(cause), reply[3]]])
      }
    }
  }
}

/** The registry this thread's bootstrap made (see `Protocol.SERVE_REGISTRY_KEY`). */
const registryOf = (): Protocol.ServeRegistry => {
  const global = globalThis as { [key: symbol]: Protocol.ServeRegistry | undefined }
  return global[Symbol.for(Protocol.SERVE_REGISTRY_KEY)] ??= {
    loaded: false,
    onLoaded: [],
    waiting: [],
    elected: false
  }
}

/** Decides, once, which waiting `serve` serves: the last one to run. Every other one succeeds. */
const elect = (registry: Protocol.ServeRegistry): void => {
  if (registry.elected || registry.waiting.length === 0) return
  registry.elected = true
  const waiting = registry.waiting.splice(0)
  const serves = waiting.pop()!
  for (const idle of waiting) idle(false)
  serves(true)
}

/**
 * Whether this `serve` serves the thread: decided once the pool's module has been evaluated (at
 * once if it has), so that the worker module's own `serve`, which runs after those of the worker
 * modules it imports, is the one.
 */
const isElected = (registry: Protocol.ServeRegistry): Effect.Effect<boolean> =>
  Effect.callback<boolean>((resume) => {
    const told = (serves: boolean) => resume(Effect.succeed(serves))
    registry.waiting.push(told)
    if (registry.loaded) elect(registry)
    else registry.onLoaded.push(() => elect(registry))
    return Effect.sync(() => {
      const at = registry.waiting.indexOf(told)
      if (at >= 0) registry.waiting.splice(at, 1)
    })
  })

/**
 * Serves the tasks when this module runs in a WorkerPool's worker thread, with the layer built
 * once for the worker's life; succeeds at once anywhere else (so the module can also be imported
 * by the main thread). In a worker, one `serve` serves: the last to run while the pool's module
 * was evaluated — the module's own, when it imports other worker modules for their tasks — and
 * the others succeed then, doing nothing; one that runs once a `serve` serves dies. It ends when
 * the pool closes the worker: the layer is released, and CLOSED tells the pool the thread can go.
 *
 * @internal
 */
export const serve = <ROut, E, RIn>(
  tasks: ReadonlyArray<Api.WorkerTask.Any>,
  options?: Api.WorkerTask.ServeOptions<ROut, E, RIn>
): Effect.Effect<void, never, unknown> =>
  Effect.suspend(() => {
    const data: Protocol.ThreadData | undefined = WorkerThreads.isMainThread
      ? undefined
      : WorkerThreads.workerData?.[Protocol.WORKER_DATA_KEY]
    if (data === undefined) return Effect.void
    const registry = registryOf()
    if (registry.elected) return Effect.die(new Error("WorkerTask.serve runs already in this worker thread"))
    return Effect.flatMap(
      isElected(registry),
      (serves) => serves ? serveHere(new Int32Array(data.cells), tasks, options?.layer) : Effect.void
    )
  })

/** Serves the tasks in this worker thread until the pool closes it. */
const serveHere = <ROut, E, RIn>(
  cells: Int32Array,
  tasks: ReadonlyArray<Api.WorkerTask.Any>,
  layer: Layer.Layer<ROut, E, RIn> | undefined
): Effect.Effect<void, never, unknown> =>
  Effect.suspend(() => {
    // the pool has given up on this thread and is terminating it: nothing is built
    if (Atomics.compareExchange(cells, Protocol.SERVE, 0, Protocol.SERVE_RUNS) !== 0) return Effect.void
    const byName = new Map<string, AnyTask>()
    for (const task of tasks) {
      const internal = taskOf(task)
      byName.set(internal.name, internal)
    }
    const port = WorkerThreads.parentPort!
    const send = (message: Protocol.Response) => port.postMessage(message)
    // messages wait here while the layer builds; a CLOSE meanwhile stops the build
    const early: Array<Protocol.Request> = []
    const closeAsked = Deferred.makeUnsafe<void>()
    let server: TaskServer | undefined = undefined
    const listener = (message: Protocol.Request) => {
      if (server !== undefined) server.receive(message)
      else if (message[0] === Protocol.CLOSE) Deferred.doneUnsafe(closeAsked, Exit.void)
      else early.push(message)
    }
    return Effect.context<unknown>().pipe(
      Effect.flatMap((context) =>
        Effect.scoped(Effect.gen(function*() {
          // the listener keeps the thread alive, from the layer's build until the pool closes or terminates it
          yield* Effect.acquireRelease(
            Effect.sync(() => port.on("message", listener)),
            () => Effect.sync(() => port.off("message", listener))
          )
          const built = layer === undefined
            ? Exit.succeed(Context.empty())
            : yield* Effect.raceFirst(Effect.exit(Layer.build(layer)), Deferred.await(closeAsked))
          // closed while it built: what was built is released with the scope
          if (built === undefined || Deferred.isDoneUnsafe(closeAsked)) return
          if (Exit.isFailure(built)) {
            return send([Protocol.INIT_FAILED, `the layer failed: ${Cause.pretty(built.cause)}`])
          }
          const closed = Deferred.makeUnsafe<void>()
          server = new TaskServer(
            cells,
            byName,
            Effect.runForkWith(Context.merge(context, built.value as Context.Context<unknown>)),
            send,
            () => Deferred.doneUnsafe(closed, Exit.void)
          )
          for (const message of early.splice(0)) server.receive(message)
          yield* Deferred.await(closed)
        }))
      ),
      Effect.ensuring(Effect.sync(() => send([Protocol.CLOSED])))
    )
  })
