/**
 * The permit pool under `Semaphore`, `KeyedSemaphore`, `KeyedLock`, the locks and fiberkit's
 * concurrency limiters: a count of free permits and one line of waiters, with direct hand-off —
 * a release gives the freed permits to the waiter at the head of the line itself (one wake-up
 * per granted waiter, no race to re-take them). A low-level building block for writing new
 * limits, next to `Handoff` and `WaitQueue`: plain mutable data, used inside an
 * `Effect.uninterruptibleMask` of a single runtime.
 *
 * - **Order:** a waiter carries a rank (lower is served first); equal ranks keep their order of
 *   arrival, so a pool whose waiters all have rank 0 is strict FIFO. A waiter never overtakes
 *   one ranked at or before it, whatever sizes they ask for.
 * - **Resize:** `resize(delta)` grows (waiters served at once) or shrinks (free permits first,
 *   then each permit given back is kept) — no holder is ever preempted. A waiter that asks for
 *   more permits than a shrink left is served alone, once every permit is free.
 * - **Refusal:** `refuseOldest()` sends the longest-waiting waiter away unserved, for load
 *   shedding; its `takeThen` runs the `refused` effect instead of its body.
 *
 * Invariant: `free` plus the permits of every granted (not yet cancelled) waiter plus the permits
 * held by running fibers is constant, except for explicit `release`s beyond what was taken and
 * `resize`s. `free` is negative after a shrink until enough holders have let go.
 *
 * @since 0.3.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { type Restore, Waiter, type WaitHooks } from "./Handoff.js"
import { withDeadline } from "./internal/deadline.js"
import { Ranked } from "./WaitQueue.js"

const TRUE = Effect.succeed(true)
const REFUSED = Exit.succeed(false)

/**
 * A waiter of a `PermitPool`: granted `true` when its permits are its own, `false` when it was
 * refused or its time ran out.
 *
 * **Example**
 *
 * ```ts
 * import { Permits } from "@fiberkit/sync"
 *
 * const pool = new Permits.PermitPool(0)
 * const head: Permits.PermitWaiter | undefined = pool.waiters.first // nobody waits yet
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface PermitWaiter extends Waiter<boolean> {
  /** The permits it asks for. */
  n: number
  /** Its place in line: lower ranks are served first, equal ranks in order of arrival. */
  rank: number
  /** Its number in order of arrival. */
  seq: number
  /**
   * Asks for more than the pool has had since a shrink: served alone, once every permit is free
   * (else it could never be served, and no one behind it either).
   */
  alone: boolean
}

/**
 * A counted pool of permits with one ranked line of waiters and direct hand-off.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Permits } from "@fiberkit/sync"
 *
 * // a limit of 2 whose waiters can be turned away: `takeThen` runs `refused` for them
 * const pool = new Permits.PermitPool(2)
 * const limited = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
 *   Effect.uninterruptibleMask((restore) =>
 *     pool.takeThen(
 *       1,
 *       restore,
 *       Effect.onExit(restore(effect), () => Effect.sync(() => pool.release(1))),
 *       0,
 *       Effect.fail("refused" as const)
 *     )
 *   )
 * const shed = Effect.sync(() => pool.refuseOldest()) // true if a waiter was sent away
 * const grow = Effect.sync(() => pool.resize(+1)) // 3 permits from now on
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export class PermitPool {
  /** The waiters, in the order they will be served. */
  readonly waiters = new Ranked<PermitWaiter>()
  private arrivals = 0
  /** The permits it was made with, moved by each `resize` (not by releases beyond what was taken). */
  private total: number

  /** `free`: the permits free now (negative after a shrink, until enough holders have let go). */
  constructor(public free: number) {
    this.total = free
  }

  /** Takes `n` permits at once if no one waits ahead and enough are free: `true` if it did. */
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

  /**
   * {@link take}, then `next` (still uninterruptible). `rank` places the waiter in line (default
   * 0); a waiter sent away by {@link refuseOldest} runs `refused` instead of `next`.
   */
  takeThen<A, E, R, E2 = never>(
    n: number,
    restore: Restore,
    next: Effect.Effect<A, E, R>,
    rank = 0,
    refused: Effect.Effect<never, E2> = Effect.never
  ): Effect.Effect<A, E | E2, R> {
    if (this.tryTake(n)) return next
    const waiter = this.enqueue(n, rank)
    // a waiter ranked ahead of the head may fit in the permits the head is waiting to add up
    if (waiter === this.waiters.first) this.grant()
    return Effect.flatMap(
      waiter.wait(restore, this.hooks(n)),
      (granted): Effect.Effect<A, E | E2, R> => granted ? next : refused
    )
  }

  /**
   * {@link take} with a time limit (Python's `acquire(timeout=…)`): `true` once the permits are
   * the caller's, `false` if `duration` passed first — then the caller holds nothing and has
   * left the line. The wait stays in the calling fiber, so the answer can never disagree with
   * what the caller holds.
   */
  takeWithin(n: number, restore: Restore, duration: Duration.Duration): Effect.Effect<boolean> {
    if (this.tryTake(n)) return TRUE
    const waiter = this.enqueue(n, 0)
    return withDeadline(duration, () => this.refuse(waiter), waiter.wait(restore, this.hooks(n)))
  }

  /** Returns `n` permits and hands them to the waiters at the head of the line. */
  release(n: number): void {
    this.free += n
    this.grant()
  }

  /**
   * Adds `delta` permits (a negative one takes them away): a grow serves the waiters it can at
   * once; a shrink takes free permits first and the rest from holders as they let go — nobody
   * holding permits is ever made to give them back early.
   */
  resize(delta: number): void {
    this.free += delta
    this.total += delta
    if (delta < 0) {
      // a waiter asking for more than there are now is served alone, when all are free
      for (let node = this.waiters.first; node !== undefined; node = node.next as PermitWaiter | undefined) {
        if (node.n > this.total) node.alone = true
      }
    }
    this.grant()
  }

  /** Sends the waiter that has waited longest away unserved: `true` if there was one. */
  refuseOldest(): boolean {
    let oldest = this.waiters.first
    for (let node = oldest?.next as PermitWaiter | undefined; node !== undefined; node = node.next as PermitWaiter) {
      if (node.seq < oldest!.seq) oldest = node
    }
    return oldest !== undefined && this.refuse(oldest)
  }

  private refuse(waiter: PermitWaiter): boolean {
    if (!waiter.settle(REFUSED)) return false
    // a large request leaving the line may let smaller ones behind it through
    this.grant()
    return true
  }

  /** The hooks of a wait for one permit, made once: most waits are for one. */
  private readonly hooksForOne = this.makeHooks(1)

  private hooks(n: number): WaitHooks<boolean> {
    return n === 1 ? this.hooksForOne : this.makeHooks(n)
  }

  private makeHooks(n: number): WaitHooks<boolean> {
    return { onLost: (granted) => granted && this.release(n), onCancel: () => this.grant() }
  }

  private enqueue(n: number, rank: number): PermitWaiter {
    const waiter = new Waiter<boolean>(this.waiters) as PermitWaiter
    waiter.n = n
    waiter.rank = rank
    waiter.seq = this.arrivals++
    waiter.alone = false
    this.waiters.push(waiter)
    return waiter
  }

  private grant(): void {
    let head = this.waiters.first
    while (head !== undefined && (this.free >= head.n || (head.alone && this.total > 0 && this.free >= this.total))) {
      this.free -= head.n
      head.grant(true)
      head = this.waiters.first
    }
  }
}
