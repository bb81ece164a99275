import * as Fifo from "@fiberkit/sync/Fifo"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as WorkerThreads from "node:worker_threads"
import type * as Api from "../WorkerTask.js"
import * as Protocol from "./workerProtocol.js"
import { type AnyTask, defectCodec, taskOf } from "./workerTask.js"

/**
 * The worker side: runs the tasks it is sent one after another, in order, each unless the pool
 * cancelled it first (a compare-and-swap on its shared cell, so a cancel needs no message and no
 * free event loop). Each result is sent as soon as its task ends, before the next one starts, so
 * a task that crashes the thread takes no finished result down with it. On CLOSE it starts no
 * more tasks and, once the one running (if any) has ended, calls `close`.
 */
class TaskServer {
  /** Entries of `Protocol.STRIDE` items each: seq, cell, task name, payload. */
  private readonly queue = new Fifo.Fifo<unknown>()
  private busy = false
  private cells: Int32Array | undefined = undefined
  /** Replies not sent yet: skipped tasks wait to go with the next result. */
  private replies: Array<unknown> = []
  private closing = false
  constructor(
    private readonly tasks: ReadonlyMap<string, AnyTask>,
    private readonly runFork: <A, E>(effect: Effect.Effect<A, E, unknown>) => Fiber.Fiber<A, E>,
    private readonly send: (message: Protocol.Response) => void,
    private readonly close: () => void
  ) {}

  receive(message: Protocol.Request): void {
    if (message[0] === Protocol.INIT) return this.init(message[1], message[2], message[3])
    if (message[0] === Protocol.CLOSE) {
      this.closing = true
      if (!this.busy) this.close()
      return
    }
    if (message[0] === Protocol.RUN) { for (const entry of message[1]) this.queue.push(entry) }
    // RUN, or RESUME after a halt that ended without a terminate
    if (!this.busy) this.drain()
  }

  private init(cells: SharedArrayBuffer, initializer: string | undefined, payload: unknown): void {
    this.cells = new Int32Array(cells)
    if (initializer === undefined) return this.send([Protocol.READY])
    const task = this.tasks.get(initializer)
    if (task === undefined) return this.send([Protocol.INIT_FAILED, `the initializer "${initializer}" is not served`])
    this.busy = true
    this.start(task, payload, (exit) => {
      this.send(
        Exit.isSuccess(exit)
          ? [Protocol.READY]
          : [Protocol.INIT_FAILED, `the initializer failed: ${Cause.pretty(exit.cause)}`]
      )
      this.drain()
    })
  }

  /** Runs the task; `done` is called with its exit, at once if it did not suspend. Returns whether it did. */
  private start(task: AnyTask, payload: unknown, done: (exit: Exit.Exit<unknown, unknown>) => void): boolean {
    const fiber = this.runFork(Effect.suspend(() => task.run(task.payloadCodec.decode(payload))))
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) {
      done(exit)
      return false
    }
    fiber.addObserver(done)
    return true
  }

  private drain(): void {
    this.busy = true
    const queue = this.queue
    const cells = this.cells!
    // halted: the pool may be terminating this worker for a cancel, so no task starts (see HALT)
    while (queue.length > 0 && Atomics.load(cells, Protocol.HALT) === 0) {
      const seq = queue.shift() as number
      const cell = queue.shift() as number
      const name = queue.shift() as string
      const payload = queue.shift()
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
      })
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

/** Whether `serve` runs in this thread already: a thread serves one set of tasks. */
let serving = false

/**
 * Serves the tasks when this module runs in a WorkerPool's worker thread, with the layer built
 * once for the worker's life; succeeds at once anywhere else (so the module can also be imported
 * by the main thread). It ends when the pool closes the worker: the layer is released, and
 * CLOSED tells the pool the thread can go.
 *
 * @internal
 */
export const serve = <ROut, E, RIn>(
  tasks: ReadonlyArray<Api.WorkerTask.Any>,
  options?: Api.WorkerTask.ServeOptions<ROut, E, RIn>
): Effect.Effect<void, never, unknown> =>
  Effect.suspend(() => {
    const data = WorkerThreads.isMainThread ? undefined : WorkerThreads.workerData?.[Protocol.WORKER_DATA_KEY]
    if (data === undefined) return Effect.void
    if (serving) return Effect.die(new Error("WorkerTask.serve runs already in this worker thread"))
    serving = true
    const byName = new Map<string, AnyTask>()
    for (const task of tasks) {
      const internal = taskOf(task)
      byName.set(internal.name, internal)
    }
    const port = WorkerThreads.parentPort!
    const send = (message: Protocol.Response) => port.postMessage(message)
    send([Protocol.SERVING])
    // messages wait here while the layer builds
    const early: Array<Protocol.Request> = []
    let server: TaskServer | undefined = undefined
    const listener = (message: Protocol.Request) => server === undefined ? early.push(message) : server.receive(message)
    return Effect.context<unknown>().pipe(
      Effect.flatMap((context) =>
        Effect.scoped(Effect.gen(function*() {
          // the listener keeps the thread alive, from the layer's build until the pool closes or terminates it
          yield* Effect.acquireRelease(
            Effect.sync(() => port.on("message", listener)),
            () => Effect.sync(() => port.off("message", listener))
          )
          const built = options?.layer === undefined
            ? Exit.succeed(Context.empty())
            : yield* Effect.exit(Layer.build(options.layer))
          if (Exit.isFailure(built)) {
            return send([Protocol.INIT_FAILED, `the layer failed: ${Cause.pretty(built.cause)}`])
          }
          const closed = Deferred.makeUnsafe<void>()
          server = new TaskServer(
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
