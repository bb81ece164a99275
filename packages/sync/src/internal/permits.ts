import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { WaitQueue } from "../WaitQueue.js"
import { withDeadline } from "./deadline.js"
import { type Restore, Waiter, type WaitHooks } from "./handoff.js"

const TRUE = Effect.succeed(true)
const EXPIRED = Exit.succeed(false)

interface PermitWaiter extends Waiter<boolean> {
  n: number
}

/**
 * A counted pool of permits with a strict FIFO queue of waiters and direct hand-off: a release
 * gives the freed permits to the longest waiter itself (one wake-up per granted waiter, no race
 * to re-take them), and a waiter never overtakes the one before it, whatever sizes they ask for.
 *
 * Invariant: `free` plus the permits of every granted (not yet cancelled) waiter plus the permits
 * held by running fibers is constant, except for explicit `release`s beyond what was taken.
 *
 * @internal
 */
export class PermitPool {
  readonly waiters = new WaitQueue<PermitWaiter>()
  constructor(public free: number) {}

  /** Takes `n` permits at once if no one waits ahead and enough are free. */
  tryTake(n: number): boolean {
    if (this.waiters.size === 0 && this.free >= n) {
      this.free -= n
      return true
    }
    return false
  }

  /**
   * Takes `n` permits, waiting in line if needed. Must run in an uninterruptible region whose
   * `restore` is given: only the wait itself is interruptible. On success the permits belong to
   * the caller, who is still uninterruptible and so can register their release before anything
   * else happens. If the wait ends in any other way — including an interruption that lands after
   * the permits were handed over but before the fiber resumed — they go back to the pool.
   */
  take(n: number, restore: Restore): Effect.Effect<void> {
    return this.takeThen(n, restore, Effect.void)
  }

  /** {@link take}, then `next` (still uninterruptible). */
  takeThen<A, E, R>(n: number, restore: Restore, next: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    if (this.tryTake(n)) return next
    return Effect.andThen(this.enqueue(n).wait(restore, this.hooks(n)), next)
  }

  /**
   * {@link take} with a time limit (Python's `acquire(timeout=…)`): `true` once the permits are
   * the caller's, `false` if `duration` passed first — then the caller holds nothing and has
   * left the line. The wait stays in the calling fiber, so the answer can never disagree with
   * what the caller holds.
   */
  takeWithin(n: number, restore: Restore, duration: Duration.Duration): Effect.Effect<boolean> {
    if (this.tryTake(n)) return TRUE
    const waiter = this.enqueue(n)
    const expire = () => {
      // a large request leaving the head may let smaller ones behind it through
      if (waiter.settle(EXPIRED)) this.grant()
    }
    return withDeadline(duration, expire, waiter.wait(restore, this.hooks(n)))
  }

  /** The hooks of a wait for one permit, made once: most waits are for one. */
  private readonly hooksForOne = this.makeHooks(1)

  private hooks(n: number): WaitHooks<boolean> {
    return n === 1 ? this.hooksForOne : this.makeHooks(n)
  }

  private makeHooks(n: number): WaitHooks<boolean> {
    return { onLost: () => this.release(n), onCancel: () => this.grant() }
  }

  private enqueue(n: number): PermitWaiter {
    const waiter = new Waiter<boolean>(this.waiters) as PermitWaiter
    waiter.n = n
    this.waiters.push(waiter)
    return waiter
  }

  /** Returns `n` permits and hands them to the waiters at the head of the line. */
  release(n: number): void {
    this.free += n
    this.grant()
  }

  private grant(): void {
    let head = this.waiters.first
    while (head !== undefined && this.free >= head.n) {
      this.free -= head.n
      head.grant(true)
      head = this.waiters.first
    }
  }
}
