import * as WaitQueue from "@fiberkit/sync/WaitQueue"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Effectable from "effect/Effectable"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import { FutureCancelled } from "../Errors.js"
import type * as Api from "../Future.js"
import type { LiveFutures } from "./liveFutures.js"
import { registerThenWait } from "./wait.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/Future") as Api.TypeId

/**
 * `cancelling`: a running task asked to stop and not stopped yet. It still runs (it is not done),
 * and it ends `cancelled` if it stops interrupted, or with its own outcome if it ends otherwise
 * before the interruption reaches it (it failed, or a worker thread's result was on its way).
 */
type State = "pending" | "running" | "cancelling" | "done" | "cancelled"

/** An observer waiting in a future's line. */
interface Observer<A, E> extends WaitQueue.Node {
  readonly notify: (exit: Exit.Exit<A, E | FutureCancelled>) => void
}

/**
 * A future and the hooks its executor drives: `start` when the task begins, `settleNow` with its
 * exit. `cancel` interrupts the task's fiber (which the executor attaches with `attach`); the
 * fiber's end settles the future as cancelled.
 *
 * @internal
 */
export class FutureImpl<A, E> extends Effectable.Class<A, E | FutureCancelled> implements Api.Future<A, E> {
  readonly [TypeId]: Api.TypeId = TypeId
  private state: State = "pending"
  private settled = false
  /** Interrupts the task if it is still running; set by the worker that runs it. */
  private interruptor: ((future: FutureImpl<A, E>) => void) | undefined = undefined
  /** The live futures of its pool, which it leaves once settled; and its neighbours there. */
  live: LiveFutures | undefined = undefined
  /** Told when the future is cancelled while pending (its pool keeps a count of pending tasks). */
  onCancelledPending: ((future: FutureImpl<A, E>) => void) | undefined = undefined
  livePrev: FutureImpl<unknown, unknown> | undefined = undefined
  liveNext: FutureImpl<unknown, unknown> | undefined = undefined
  // made when first used: most futures are read once settled, and never observed or called back
  private callbacks: Array<(future: Api.Future<A, E>) => Effect.Effect<unknown, unknown>> | undefined = undefined
  /** The outcome, once settled; and the observers waiting for it until then. */
  private outcome: Exit.Exit<A, E | FutureCancelled> | undefined = undefined
  private observers: WaitQueue.WaitQueue<Observer<A, E>> | undefined = undefined

  constructor(readonly id: number) {
    super()
  }

  /** `yield* future`: its result. */
  asEffect(): Effect.Effect<A, E | FutureCancelled> {
    return this.result
  }

  /** How many callbacks and observers wait for the outcome now (for tests). @internal */
  get listeners(): number {
    return (this.callbacks?.length ?? 0) + (this.observers?.size ?? 0)
  }

  /** Settled: its outcome is set (a late `settleNow` changes nothing). */
  get hasSettled(): boolean {
    return this.settled
  }

  get isPending(): boolean {
    return this.state === "pending"
  }

  /**
   * Sets how to interrupt the running task. It must check, synchronously, that its worker still
   * runs this task: a worker runs many tasks one after another, and a late interruption must
   * not hit the next one.
   */
  attach(interruptor: (future: FutureImpl<A, E>) => void): void {
    this.interruptor = interruptor
  }

  /** The task is about to run; false if the future was cancelled meanwhile. */
  start(): boolean {
    if (this.state !== "pending") return false
    this.state = "running"
    return true
  }

  /** The task goes back to waiting (its worker died before starting it); false if it was cancelled meanwhile. */
  unstart(): boolean {
    if (this.state !== "running") return false
    this.state = "pending"
    this.interruptor = undefined
    return true
  }

  /**
   * Completes the future, once, now: it is complete when this returns. A future cancelled while
   * pending, or one whose task was interrupted and did nothing else (its cause is interruptions
   * only), ends cancelled. A task that was asked to stop but ended otherwise — it succeeded, or
   * failed — ends with its own outcome (its `cancel` then answers `false`): a future never reads
   * as cancelled when its task completed. A task that failed and was also interrupted — a
   * finalizer interrupted after its failure — ends failed, with its cause.
   *
   * The callbacks are handed to `start` (which starts them in a fiber of their own) before any
   * observer is told: on Effect 4 an observer's fiber resumes inline, inside this call, and a
   * caller that has seen the future done finds its callbacks started. Without `start`, returns
   * the callbacks still to run, if there are any.
   */
  settleNow(exit: Exit.Exit<A, E>, start?: (callbacks: Effect.Effect<void>) => void): Effect.Effect<void> | undefined {
    if (this.settled) return undefined
    this.settled = true
    this.interruptor = undefined
    this.live?.delete(this as FutureImpl<unknown, unknown>)
    const cancelled = this.state === "cancelled" || (Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    // (a `cancelling` task that ended otherwise completed: it ends done)
    this.state = cancelled ? "cancelled" : "done"
    const outcome: Exit.Exit<A, E | FutureCancelled> = cancelled ? Exit.fail(new FutureCancelled()) : exit
    this.outcome = outcome
    // every observer leaves the line before the first is told: one that stops observing (its own
    // registration, or another's on this future) while it is told removes nothing, and the
    // settlement skips no one
    const observers = this.observers?.drain()
    const callbacks = this.callbacks
    this.callbacks = undefined
    let rest: Effect.Effect<void> | undefined = callbacks === undefined || callbacks.length === 0
      ? undefined
      : Effect.forEach(callbacks, (callback) => this.runCallback(callback), { discard: true })
    if (rest !== undefined && start !== undefined) {
      start(rest)
      rest = undefined
    }
    if (observers !== undefined) { for (const observer of observers) observer.notify(outcome) }
    return rest
  }

  /**
   * Calls `observer` with the outcome once settled (at once if it is); returns how to stop
   * observing.
   */
  observe(observer: (exit: Exit.Exit<A, E | FutureCancelled>) => void): () => void {
    if (this.outcome !== undefined) {
      observer(this.outcome)
      return () => {}
    }
    const node: Observer<A, E> = { notify: observer, prev: undefined, next: undefined, queued: false }
    const observers = this.observers ??= new WaitQueue.WaitQueue<Observer<A, E>>()
    observers.push(node)
    return () => {
      observers.remove(node)
    }
  }

  // Effect-valued members are getters: made when used, not allocated for every future up front.
  get result(): Effect.Effect<A, E | FutureCancelled> {
    // settled: the outcome itself (an `Exit` is an effect), which never changes once set
    if (this.outcome !== undefined) return this.outcome
    // pending: the outcome is checked inside the registration: a check made one step earlier could be
    // followed by a yield, the settlement, and then a wait that never ends; and the registration
    // is undone however the wait ends (an interruption at any op included)
    return registerThenWait<A, E | FutureCancelled>((settle) => Effect.sync(this.observe(settle)))
  }

  get await(): Effect.Effect<Exit.Exit<A, E | FutureCancelled>> {
    return Effect.exit(this.result)
  }

  get exception(): Effect.Effect<Option.Option<Cause.Cause<E>>, FutureCancelled> {
    return Effect.flatMap(
      this.await,
      (exit): Effect.Effect<Option.Option<Cause.Cause<E>>, FutureCancelled> => {
        if (Exit.isSuccess(exit)) return Effect.succeed(Option.none())
        if (this.state === "cancelled") return Effect.fail(new FutureCancelled())
        return Effect.succeed(Option.some(exit.cause as Cause.Cause<E>))
      }
    )
  }

  get cancel(): Effect.Effect<boolean> {
    // one op from the state check to the settlement: a check in one op and the settlement in a
    // later one let the caller be switched out and interrupted in between, the future cancelled
    // and never settled (found by the schedule explorer with fibers switched after any op)
    return Effect.withFiber((caller) => {
      switch (this.state) {
        case "done":
          return Effect.succeed(false)
        case "cancelled":
          return Effect.succeed(true)
        case "cancelling":
          // asked already: this cancel too returns once the task has stopped, with the truth
          return this.stopped
        case "running": {
          const interrupt = this.interruptor
          if (interrupt === undefined) break
          // the worker settles the task once it has stopped; `cancel` returns after that
          this.state = "cancelling"
          interrupt(this)
          return this.stopped
        }
      }
      // pending (or running with no way to stop it yet): settled in this same step (an
      // interruption of the caller before a later step would leave it cancelled and never
      // settled), skipped by the workers, it never starts
      const wasPending = this.state === "pending"
      this.state = "cancelled"
      // the callbacks run in a fiber of their own (as `forkDetach` would start it), to their
      // end even if the caller is interrupted while it waits for them
      let callbacks: Fiber.Fiber<void> | undefined = undefined
      this.settleNow(Exit.interrupt(), (effect) => {
        callbacks = Effect.runForkWith(caller.context)(effect)
      })
      if (wasPending) this.onCancelledPending?.(this)
      return callbacks === undefined ? Effect.succeed(true) : Effect.as(Fiber.join(callbacks), true)
    })
  }

  /** Once a task asked to stop has ended: `true` if it ended cancelled, `false` if it completed. */
  private get stopped(): Effect.Effect<boolean> {
    return Effect.map(this.await, () => this.state === "cancelled")
  }

  /**
   * Cancels the task now if it is pending (it never starts), in the caller's step; its callbacks
   * go to `start`. A task past pending is left as it is.
   */
  cancelIfPending(start: (callbacks: Effect.Effect<void>) => void): void {
    if (this.state !== "pending") return
    this.state = "cancelled"
    this.settleNow(Exit.interrupt(), start)
    this.onCancelledPending?.(this)
  }

  /** A callback's failure — even a defect — never stops the others. */
  private runCallback(callback: (future: Api.Future<A, E>) => Effect.Effect<unknown, unknown>): Effect.Effect<void> {
    return Effect.catchCause(Effect.asVoid(Effect.suspend(() => callback(this))), () => Effect.void)
  }

  get isDone(): Effect.Effect<boolean> {
    return Effect.sync(() => this.state === "done" || this.state === "cancelled")
  }

  get isRunning(): Effect.Effect<boolean> {
    return Effect.sync(() => this.state === "running" || this.state === "cancelling")
  }

  /**
   * Settled by a cancel (or by an interruption alone) — not by its task's own failure, even one
   * with a `FutureCancelled` error: what a map of futures must tell apart.
   */
  get wasCancelled(): boolean {
    return this.state === "cancelled"
  }

  get isCancelled(): Effect.Effect<boolean> {
    return Effect.sync(() => this.state === "cancelled")
  }

  onDone(callback: (future: Api.Future<A, E>) => Effect.Effect<unknown, unknown>): Effect.Effect<Effect.Effect<void>> {
    return Effect.suspend(() => {
      if (this.state === "done" || this.state === "cancelled") {
        return Effect.as(Effect.flatMap(this.await, () => this.runCallback(callback)), Effect.void)
      }
      // an entry of its own, so that unsubscribing removes this registration and no other
      const entry = (future: Api.Future<A, E>) => callback(future)
      const callbacks = this.callbacks ??= []
      callbacks.push(entry)
      return Effect.succeed(Effect.sync(() => {
        // once settled, the callbacks are on their way: unsubscribing no longer stops one
        if (this.callbacks !== callbacks) return
        const at = callbacks.indexOf(entry)
        if (at >= 0) callbacks.splice(at, 1)
      }))
    })
  }
}

/**
 * Calls `observer` once `future` is done (at once if it is); succeeds with how to stop observing.
 * A future of this package is observed directly, and stopping removes the registration, so that
 * a caller who keeps waiting on a future that stays pending (Python's `while pending: wait(…)`)
 * leaves nothing behind on it. Any other `Future` is observed through its `onDone`, whose
 * registration cannot be removed: stopping only mutes it.
 *
 * @internal
 */
export const subscribe = <A, E>(future: Api.Future<A, E>, observer: () => void): Effect.Effect<() => void> => {
  if (future instanceof FutureImpl) return Effect.sync(() => future.observe(observer))
  let active = true
  return Effect.as(
    future.onDone(() =>
      Effect.sync(() => {
        if (active) observer()
      })
    ),
    () => {
      active = false
    }
  )
}
