import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { Node, WaitQueue } from "../WaitQueue.js"

/** @internal */
export type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** @internal */
export interface WaitHooks<A> {
  /** The waiter was handed `value` but its fiber was interrupted before it resumed: give it back. */
  readonly onLost?: ((value: A) => void) | undefined
  /** The waiter left its line unserved (interrupted while it waited): serve whoever is next. */
  readonly onCancel?: (() => void) | undefined
}

/**
 * The one hand-off waiter: a node in a `WaitQueue` that keeps its outcome on itself.
 *
 * - `settle(exit)` ends it once — a grant, a failure (shut down, broken) or an expiry; the first
 *   settle wins, later ones return `false`. It takes the waiter out of its line and resumes its
 *   fiber if the fiber is registered.
 * - `wait` registers the fiber and, in that same step, checks whether *any* outcome is already
 *   there: a settle that lands between the push and the registration (the fiber yielded in
 *   between, another fiber shut the primitive down) is never missed.
 * - an interrupted wait settles the waiter as interrupted (it leaves its line), or, if it had
 *   already been granted, gives what it was handed back through `onLost`.
 *
 * @internal
 */
export class Waiter<A, E = never> implements Node {
  prev: Node | undefined = undefined
  next: Node | undefined = undefined
  queued = false
  outcome: Exit.Exit<A, E> | undefined = undefined
  private resume: ((effect: Effect.Effect<A, E>) => void) | undefined = undefined

  constructor(readonly line: WaitQueue<Waiter<A, E>>) {}

  get isSettled(): boolean {
    return this.outcome !== undefined
  }

  /** Ends the wait with `exit` unless it has ended already: `true` if this call ended it. */
  settle(exit: Exit.Exit<A, E>): boolean {
    if (this.outcome !== undefined) return false
    this.outcome = exit
    this.line.remove(this)
    const resume = this.resume
    if (resume !== undefined) {
      this.resume = undefined
      resume(exit)
    }
    return true
  }

  /** `settle(Exit.succeed(value))`. */
  grant(value: A): boolean {
    return this.settle(Exit.succeed(value))
  }

  /**
   * Waits for the outcome. Must run inside the caller's uninterruptible region, whose `restore`
   * makes only the wait itself interruptible: when it returns a granted value, the caller still
   * holds it uninterruptibly and can register its release before anything else happens.
   */
  wait(restore: Restore, hooks?: WaitHooks<A>): Effect.Effect<A, E> {
    return Effect.catchAllCause(restore(this.registered), (cause) => this.interrupted(cause, hooks))
  }

  private readonly registered: Effect.Effect<A, E> = Effect.async<A, E>((resume) => {
    if (this.outcome !== undefined) resume(this.outcome)
    else this.resume = resume
  })

  private interrupted(cause: Cause.Cause<E>, hooks: WaitHooks<A> | undefined): Effect.Effect<never, E> {
    const outcome = this.outcome
    if (outcome === undefined) {
      this.settle(Exit.failCause(cause))
      hooks?.onCancel?.()
    } else if (Exit.isSuccess(outcome)) {
      // granted, but interrupted before it resumed: what it was handed goes back
      hooks?.onLost?.(outcome.value)
    }
    return Effect.failCause(cause)
  }
}
