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
 * - **Rooms:** a waiter may also need a place in a `Room` of its own (its key's places, in a
 *   keyed limit): it is served only while its room has one, and is passed over — only it — while
 *   its room is full, so one line ranks every waiter across rooms (a waiter of a full key never
 *   holds back the others). The pool takes the place in the step it serves the waiter and gives it
 *   back with `release(n, room)`. A hand-off walks past the waiters of full rooms ranked ahead.
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
 * A limit of places besides the pool's permits, that a waiter may need too — one per key in a
 * keyed limit. The pool asks `hasRoom` before it serves the waiter, calls `enter` in the step it
 * does, and `leave` when the place is given back (`release(n, room)`, or a hand-off that came too
 * late for an interrupted waiter). A room whose `hasRoom` turns true other than by `leave` (its
 * size grown) needs `serve()`.
 *
 * **Example**
 *
 * ```ts
 * import { Permits } from "@fiberkit/sync"
 *
 * // at most 2 places per tenant, in a pool of 8 permits over all tenants
 * class TenantRoom implements Permits.Room {
 *   inside = 0
 *   hasRoom() {
 *     return this.inside < 2
 *   }
 *   enter() {
 *     this.inside++
 *   }
 *   leave() {
 *     this.inside--
 *   }
 * }
 * const pool = new Permits.PermitPool(8)
 * const acme = new TenantRoom()
 * const tookAtOnce = pool.tryTake(1, acme) // true: acme.inside is 1
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface Room {
  /** Whether one more may enter now. */
  hasRoom(): boolean
  /** One more entered. */
  enter(): void
  /** One left. */
  leave(): void
}

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
  /** The room it needs a place in too, if any: passed over while that room is full. */
  room: Room | undefined
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

  /**
   * Takes `n` permits at once (and a place in `room`, if given) if no one it must let go first
   * waits and enough are free: `true` if it did.
   */
  tryTake(n: number, room?: Room): boolean {
    if (!this.canTake(n, room)) return false
    this.free -= n
    room?.enter()
    return true
  }

  /**
   * Whether `tryTake(n, room)` would take now: enough permits free, a place in `room`, and no
   * waiter it must let go first — any waiter at all without `room`; with one, a waiter that could
   * be served (the waiters of full rooms are passed over).
   */
  canTake(n: number, room?: Room): boolean {
    if (this.free < n) return false
    if (room === undefined) return this.waiters.size === 0
    return room.hasRoom() && !this.anyServable()
  }

  /** Whether a waiter's room (if it has one) has a place: it would be served, given the permits. */
  private anyServable(): boolean {
    for (let node = this.waiters.first; node !== undefined; node = node.next as PermitWaiter | undefined) {
      if (node.room === undefined || node.room.hasRoom()) return true
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
   * 0); a waiter sent away by {@link refuseOldest} runs `refused` instead of `next`. With `room`,
   * the waiter also takes a place in it (see {@link Room}); give both back with `release(n, room)`.
   */
  takeThen<A, E, R, E2 = never>(
    n: number,
    restore: Restore,
    next: Effect.Effect<A, E, R>,
    rank = 0,
    refused: Effect.Effect<never, E2> = Effect.never,
    room?: Room
  ): Effect.Effect<A, E | E2, R> {
    if (this.tryTake(n, room)) return next
    const waiter = this.enqueue(n, rank, room)
    // a waiter ranked ahead of the head may fit in the permits the head is waiting to add up; one
    // with a room may fit while those ahead of it wait for theirs
    if (waiter === this.waiters.first || room !== undefined) this.grant()
    return Effect.flatMap(
      waiter.wait(restore, room === undefined ? this.hooks(n) : this.makeHooks(n, room)),
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

  /** Returns `n` permits (and a place in `room`) and hands them to the waiters at the head of the line. */
  release(n: number, room?: Room): void {
    room?.leave()
    this.free += n
    this.grant()
  }

  /** Serves the waiters that can be served now: after a room grew other than by `release`. */
  serve(): void {
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

  private makeHooks(n: number, room?: Room): WaitHooks<boolean> {
    return { onLost: (granted) => granted && this.release(n, room), onCancel: () => this.grant() }
  }

  private enqueue(n: number, rank: number, room?: Room): PermitWaiter {
    const waiter = new Waiter<boolean>(this.waiters) as PermitWaiter
    waiter.n = n
    waiter.rank = rank
    waiter.seq = this.arrivals++
    waiter.alone = false
    waiter.room = room
    this.waiters.push(waiter)
    return waiter
  }

  /**
   * Serves waiters in line order while they fit; a waiter whose room is full is passed over, the
   * first one that does not fit stops the line (no one overtakes it).
   */
  private grant(): void {
    let node = this.waiters.first
    while (node !== undefined) {
      const next = node.next as PermitWaiter | undefined
      const room = node.room
      if (room === undefined || room.hasRoom()) {
        if (!(this.free >= node.n || (node.alone && this.total > 0 && this.free >= this.total))) return
        this.free -= node.n
        room?.enter()
        node.grant(true)
      } else if (this.free < 0) {
        // no one can be served (not even for 0 permits): no need to look past the full rooms
        return
      }
      node = next
    }
  }
}
