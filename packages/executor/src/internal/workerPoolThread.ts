import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as WorkerThreads from "node:worker_threads"
import { WorkerCrashed, WorkerSpawnFailed } from "../Errors.js"
import { HeldCalls } from "./workerHeld.js"
import * as Protocol from "./workerProtocol.js"
import { type CallJob, decode, type Sent } from "./workerSlot.js"
import { spawnThread } from "./workerThread.js"
import type { ThreadHost } from "./workerThreadHost.js"
import { traceOf } from "./workerTrace.js"

/**
 * One worker thread, driven directly through `node:worker_threads`: the pool's own messages
 * (`Protocol`), and its `exit` event, which ends it. Node emits `exit` after the messages the
 * thread posted before it died (an `error` event may come before them): a result sent before a
 * crash is never lost. It is sent up to `depth()` jobs ahead of its replies — two for long tasks
 * (the rest of the queue stays in the pool, where any free worker takes from it), up to
 * `Protocol.CELLS` for tasks of a few microseconds (so one message carries many).
 *
 * Its life: `starting` until `serve` has built its layer and run the initializer, then `ready`;
 * `retiring` once it has taken `maxTasksPerWorker` jobs, or is dismissed by a shrink between calls;
 * `stopped` once it has left its slot — a failed start, a crash, a terminate by `cancel`,
 * retirement, dismissal, the pool's end — after which the
 * pool can start a replacement in the slot. A worker that leaves once its `serve` runs (see
 * `Protocol.SERVE`: it may have built its layer, even if it is still starting) and before it has
 * ended is closed: `serve` ends and releases its layer, then the thread is terminated (at the
 * latest after `spawnTimeout`; the pool's close waits for it, see `exited`); any other is
 * terminated at once.
 *
 * @internal
 */
export class Thread {
  state: "starting" | "ready" | "retiring" | "stopped" = "starting"
  private worker: WorkerThreads.Worker | undefined = undefined
  private readonly buffer = new SharedArrayBuffer(Protocol.SHARED * Int32Array.BYTES_PER_ELEMENT)
  readonly cells = new Int32Array(this.buffer)
  /** The calls sent to it and not answered yet. */
  readonly held = new HeldCalls(this.cells)
  /** Stopped by a shrink while it started: its start fails, and that is no failure to report. */
  private dismissed = false
  private readonly ready = Deferred.makeUnsafe<void, string>()
  /** Why the thread is ending: its uncaught error, or a message that could not be read. */
  private failure: string | undefined = undefined
  /** Set by its `exit` event. */
  private ended = false
  private readonly exited = Deferred.makeUnsafe<void>()
  /** Terminates a closing worker whose `serve` has not ended in time. */
  private closeTimer: ReturnType<typeof setTimeout> | undefined = undefined
  /** Moving average of its tasks' run time; 0 before the first. */
  private micros = 0

  constructor(readonly slot: number, private readonly host: ThreadHost) {
    this.held.instrument = host.recording?.instrument
  }

  get inFlight(): number {
    return this.held.inFlight
  }

  /**
   * Two at least: the next job is already there when one ends, so a worker never waits a round
   * trip between long tasks (an idle worker takes queued jobs back, see `workerSteal.ts`). Short
   * tasks: about a millisecond of work ahead.
   */
  depth(): number {
    if (this.micros === 0) return 2
    return Math.max(2, Math.min(Protocol.CELLS, Math.floor(1000 / this.micros)))
  }

  /**
   * Whether the calls it holds behind the one it runs are stuck there: the pool has heard nothing
   * from it for longer than they should take (a millisecond, plus twice their measured run time).
   */
  stuck(now: number): boolean {
    return this.held.waiting > 0 && now - this.held.headSince > 1 + (2 * this.held.open * this.micros) / 1000
  }

  // ---- lifecycle ------------------------------------------------------------------------

  /**
   * Launches the thread and waits until it has run the initializer, within `spawnTimeout`: then
   * it is `ready`. One that cannot start stops, and the pool hears of it (`startFailed`).
   */
  start(): Effect.Effect<void, WorkerSpawnFailed> {
    const { data, initializer, module, spawnTimeout, threadOptions } = this.host.settings
    const launch = Effect.suspend(() => {
      if (this.state !== "starting") return Effect.fail("the pool stopped it")
      let worker: WorkerThreads.Worker
      try {
        worker = spawnThread(data, this.buffer, threadOptions)
      } catch (error) {
        return Effect.fail(describe(error))
      }
      this.worker = worker
      worker.on("message", (message: Protocol.Response) => this.receive(message))
      worker.on("messageerror", (error) => {
        // a reply lost: the thread cannot be trusted with its jobs any more
        this.failure ??= `a message from it could not be read: ${describe(error)}`
        void worker.terminate()
      })
      // an uncaught error ends the thread: its `exit` event follows
      worker.on("error", (error) => this.failure ??= describe(error))
      worker.on("exit", (code) => this.onExit(this.failure ?? `exited with code ${code}`))
      // queued by the thread until the module has loaded and `serve` listens
      this.post([Protocol.INIT, initializer?.name, initializer?.payload])
      return Deferred.await(this.ready)
    })
    return launch.pipe(
      Effect.timeoutOrElse({
        duration: spawnTimeout,
        orElse: () =>
          Effect.fail(
            Atomics.load(this.cells, Protocol.SERVE) === Protocol.SERVE_RUNS
              ? `its serve layer or initializer did not finish within ${Duration.format(spawnTimeout)}`
              : `it did not run WorkerTask.serve within ${Duration.format(spawnTimeout)}`
          )
      }),
      Effect.matchEffect({
        onSuccess: () =>
          Effect.sync(() => {
            if (this.state !== "starting") return this.host.schedule() // it died meanwhile: replace it
            this.state = "ready"
            this.held.markFree()
            this.host.schedule()
          }),
        onFailure: (reason) => {
          const error = new WorkerSpawnFailed({ module, reason })
          return Effect.andThen(
            Effect.sync(() => {
              this.stop()
              if (!this.dismissed) this.host.startFailed(this, error)
            }),
            Effect.fail(error)
          )
        }
      })
    )
  }

  /** Posts to the thread; throws what `postMessage` throws (a payload it cannot clone). */
  private post(message: Protocol.Request): void {
    this.worker!.postMessage(message)
  }

  private receive(response: Protocol.Response): void {
    if (this.ended) return
    switch (response[0]) {
      case Protocol.CLOSED:
        // asked for (a close), or `serve` ended by itself: either way the thread serves no more
        if (this.state !== "stopped") this.failure ??= "its WorkerTask.serve effect ended"
        return void this.worker?.terminate()
      case Protocol.READY:
        return void Deferred.doneUnsafe(this.ready, Exit.void)
      case Protocol.INIT_FAILED:
        return void Deferred.doneUnsafe(this.ready, Exit.fail(response[1]))
      case Protocol.RESULTS:
        return this.results(response[1])
    }
  }

  /** Whether its thread was launched and has not ended yet (no `exit` event). */
  get alive(): boolean {
    return this.worker !== undefined && !this.ended
  }

  /**
   * Takes it out of its slot and ends it: a worker whose `serve` runs (it may have built its layer,
   * even while it starts) is closed, its layer released; any other is terminated at once (it holds
   * nothing worth waiting for).
   */
  private stop(): void {
    if (this.state === "stopped") return
    // a start in progress ends now, instead of waiting out the start-up timeout
    if (this.state === "starting") Deferred.doneUnsafe(this.ready, Exit.fail("the pool stopped it"))
    this.state = "stopped"
    this.host.vacate(this)
    // its `serve` runs, or it never will (see `Protocol.SERVE`)
    const serving =
      Atomics.compareExchange(this.cells, Protocol.SERVE, 0, Protocol.SERVE_BARRED) === Protocol.SERVE_RUNS
    if (serving && !this.ended) this.close()
    else void this.worker?.terminate()
  }

  /** Asks `serve` to end: its CLOSED reply (or `spawnTimeout`) terminates the thread. */
  private close(): void {
    try {
      this.post([Protocol.CLOSE])
    } catch {
      return void this.worker?.terminate()
    }
    this.closeTimer = setTimeout(
      () => void this.worker?.terminate(),
      Duration.toMillis(this.host.settings.spawnTimeout)
    )
    this.closeTimer.unref()
  }

  /** Stops it now; the effect it returns waits until the thread has ended. */
  end(): Effect.Effect<void> {
    const worker = this.worker
    this.stop()
    return worker === undefined ? Effect.void : Deferred.await(this.exited)
  }

  /**
   * Whether it can be sent a call once one it holds is taken back: ready, or retired by
   * `maxTasksPerWorker` (not by a shrink) and still in its slot — a call taken back no longer
   * counts towards the max, and `reopen` makes it ready again.
   */
  get takesCalls(): boolean {
    return this.state === "ready" || (this.state === "retiring" && !this.dismissed)
  }

  /** Retired by `maxTasksPerWorker` and now below it (a call taken back before it started): ready again. */
  reopen(): void {
    if (this.state === "retiring" && !this.dismissed) this.state = "ready"
  }

  /** `maxTasksPerWorker` reached: it takes no more jobs, and ends once every one is answered. */
  retire(): void {
    this.state = "retiring"
    this.endIfRetired()
  }

  /**
   * One worker too many after a shrink (it holds no call): one still starting stops now, one ready
   * retires — it ends once the replies it still waits for (calls taken back) have arrived. It runs
   * none of ours any more, so it leaves its slot at once: a grow that comes meanwhile counts it as
   * gone and starts a worker in its place (or fails with `WorkerSpawnFailed`).
   */
  dismiss(): void {
    if (this.state === "starting") {
      this.dismissed = true
      this.stop()
    } else if (this.state === "ready") {
      this.dismissed = true
      this.retire()
      // still waiting for replies (else `retire` has stopped it, and it has left already)
      if ((this.state as Thread["state"]) === "retiring") this.host.vacate(this)
    }
  }

  /** Retiring and every job answered: the worker ends, a fresh one starts. */
  private endIfRetired(): void {
    if (this.state !== "retiring" || this.inFlight !== 0) return
    const max = this.host.settings.maxTasksPerWorker
    if (!this.dismissed && max !== undefined && this.held.taken < max) {
      // retired by `maxTasksPerWorker`, and a call it was sent went elsewhere or was cancelled
      // before it started (a take-back of any kind, a drop, a cancel): below the max, it serves on
      this.state = "ready"
      this.held.markFree()
    } else {
      this.stop()
    }
    this.host.schedule()
  }

  /** The worker ended (its `exit` event): a crash, a terminate by `cancel`, or a stop. */
  private onExit(reason: string): void {
    if (this.ended) return
    this.ended = true
    clearTimeout(this.closeTimer)
    Deferred.doneUnsafe(this.exited, Exit.void)
    if (this.state === "starting") {
      // before `stop`, which would end the start with its own reason
      Deferred.doneUnsafe(this.ready, Exit.fail(`it ended before it was ready: ${reason}`))
      this.stop() // also if it was ready and `start` has not seen it yet: that thread is gone
      return this.host.exited(this)
    }
    this.stop()
    this.host.exited(this)
    const requeue: Array<CallJob> = []
    for (let sent = this.held.shift(); sent !== undefined; sent = this.held.shift()) {
      if (sent.moved) continue
      const state = Atomics.load(this.cells, sent.cell)
      const future = sent.job
      if (state === Protocol.QUEUED && future.unstart()) {
        requeue.push(sent.job) // never started: it runs on another worker
      } else {
        // it was running (or finished, its result lost with the worker); a cancelled one ends cancelled
        const exit = sent.cancelled
          ? Exit.interrupt()
          : Exit.fail(new WorkerCrashed({ task: sent.job.task.name, reason }))
        if (state === Protocol.STARTED || state === Protocol.FINISHED) this.finish(sent, exit, undefined)
        else this.host.settle(future, exit) // cancelled before it started: settled already, never ran
      }
    }
    if (requeue.length > 0) this.host.requeue(requeue)
    this.host.schedule()
  }

  // ---- jobs -----------------------------------------------------------------------------

  /**
   * Posts a batch, with the trace entries of its calls submitted under a span (see
   * `Protocol.RUN`). A payload `postMessage` cannot clone fails the whole message; then each job
   * goes alone, and only those that cannot be sent fail.
   */
  send(batch: Array<unknown>, traces?: Array<unknown>): void {
    try {
      this.post(traces === undefined ? [Protocol.RUN, batch] : [Protocol.RUN, batch, traces])
      return
    } catch {
      // one by one below
    }
    for (let at = 0; at < batch.length; at += Protocol.STRIDE) {
      const one = batch.slice(at, at + Protocol.STRIDE)
      const trace = traces === undefined ? undefined : traceOf(traces, batch[at] as number)
      try {
        this.post(trace === undefined ? [Protocol.RUN, one] : [Protocol.RUN, one, trace])
      } catch (error) {
        const sent = this.held.sent.find((sent) => sent.seq === batch[at])!
        this.held.unsend(sent)
        this.host.settle(sent.job, Exit.die(error))
      }
    }
    this.host.schedule() // the places those jobs held are free
  }

  private results(flat: ReadonlyArray<unknown>): void {
    for (let at = 0; at < flat.length; at += Protocol.STRIDE) {
      const sent = this.held.shift()
      if (sent === undefined || sent.seq !== flat[at]) continue // cannot happen: replies come in order
      if (sent.moved) continue
      const status = flat[at + 1] as number
      const value = flat[at + 2]
      if (status === Protocol.SKIPPED) {
        // cancelled before it started (and settled then): it never ran
        this.host.settle(sent.job, decode(sent.job.task, status, value))
        continue
      }
      const micros = Math.max(1, flat[at + 3] as number)
      this.micros = this.micros === 0 ? micros : this.micros * 0.8 + micros * 0.2
      sent.job.trace?.ran(micros)
      this.finish(sent, decode(sent.job.task, status, value), micros / 1000)
    }
    // the worker takes up the next call it holds once it has sent this reply
    this.held.head()?.job.trace?.started()
    this.held.headSince = performance.now()
    this.endIfRetired()
    this.host.schedule()
  }

  /**
   * Settles a job that ran here, recorded first. `runMillis`: its run time as the worker
   * measured it, `undefined` when it did not reply.
   */
  private finish(sent: Sent, exit: Exit.Exit<unknown, unknown>, runMillis: number | undefined): void {
    if (this.host.recording !== undefined) this.host.recording.record(this.slot, sent, exit, runMillis)
    this.host.settle(sent.job, exit)
  }

  /** Called by `Future.cancel` (which has marked the future cancelled) for a job sent here. */
  cancel(sent: Sent): void {
    if (this.held.skip(sent)) {
      // it never starts: the worker skips it (its SKIPPED reply frees the cell later), and it does
      // not count towards `maxTasksPerWorker`
      this.held.taken--
      this.host.settle(sent.job, Exit.interrupt())
    } else if (Atomics.load(this.cells, sent.cell) === Protocol.STARTED) {
      // it is running and CPU work cannot be interrupted: the worker goes, and `onExit` settles
      // the job as cancelled, puts the jobs it held back in line and a replacement in. Halted
      // first, so that it starts none of them if the job ends before the terminate lands.
      Atomics.store(this.cells, Protocol.HALT, 1)
      if (Atomics.load(this.cells, sent.cell) === Protocol.STARTED) {
        sent.cancelled = true
        void this.worker?.terminate()
        return
      }
      // it ended meanwhile: its reply settles it; the worker goes on
      Atomics.store(this.cells, Protocol.HALT, 0)
      this.post([Protocol.RESUME])
    }
    // FINISHED: its reply is on the way, and settles it with its own outcome
  }

  /** Cancels the jobs sent here that have not started (for `shutdown({ cancelFutures: true })`). */
  cancelQueued(): void {
    for (const sent of this.held.sent.slice(this.held.sentHead)) {
      if (!sent.moved && this.held.skip(sent)) this.host.settle(sent.job, Exit.interrupt())
    }
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
