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
 *   its room is full, so one order ranks every waiter across rooms (a waiter of a full key never
 *   holds back the others). The pool takes the place in the step it serves the waiter and gives it
 *   back with `release(n, room)`. Only the first waiter of a room with a place stands in `waiters`;
 *   the room's others wait aside, in their order, and step into `waiters` at their own place (rank,
 *   then arrival) once they are first of their room and it has a place — so a hand-off never
 *   walks past anyone, and a hot room with a long line costs the others nothing.
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
import { RoomLines } from "./internal/roomLines.js"
import { Ranked } from "./WaitQueue.js"

const TRUE = Effect.succeed(true)
const REFUSED = Exit.succeed(false)

/**
 * A limit of places besides the pool's permits, that a waiter may need too — one per key in a
 * keyed limit. The pool asks `hasRoom` before it serves the waiter, calls `enter` in the step it
 * does, and `leave` when the place is given back (`release(n, room)`, or a hand-off that came too
 * late for an interrupted waiter). A room whose `hasRoom` changes other than by `enter` and `leave`
 * (its size changed) needs `serve()`.
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
  /** The room it needs a place in too, if any: waits aside while that room is full. */
  room: Room | undefined
  /**
   * Asks for more than the pool has had since a shrink: served alone, once every permit is free
   * (else it could never be served, and no one behind it either).
   */
  alone: boolean
  /** Told in the step the waiter is sent away by `refuseOldest`, before its fiber resumes (see `takeThen`). */
  onRefused: (() => void) | undefined
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
  /**
   * The waiters that can be served once enough permits are free, in the order they will be:
   * those without a room, and the first waiter of each room that has a place (its room's others
   * wait aside). `waiting` counts them all.
   */
  readonly waiters = new Ranked<PermitWaiter>()
  /** The waiters of each room: its first in `waiters` (while it has a place), the others aside. */
  private readonly rooms = new RoomLines(this.waiters)
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
   * waiter it must let go first — none in `waiters` (the waiters of full rooms are passed over).
   */
  canTake(n: number, room?: Room): boolean {
    return this.free >= n && this.waiters.size === 0 && (room === undefined || room.hasRoom())
  }

  /** How many wait: in `waiters`, and aside while their rooms are full or their first is served. */
  get waiting(): number {
    return this.waiters.size + this.rooms.aside
  }

  /** How many of `room`'s waiters wait, in line or aside: exact in every step (a waiter leaves in the step it is served, refused or interrupted). */
  waitingIn(room: Room): number {
    return this.rooms.waitingIn(room)
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
   * 0); a waiter sent away by {@link refuseOldest} runs `refused` instead of `next` when its fiber
   * resumes, and `onRefused` is called in the step it is sent away (for counts that must drop then,
   * not at the resumption — which an interruption may also pre-empt). With `room`, the waiter also
   * takes a place in it (see {@link Room}); give both back with `release(n, room)`. A `rank` of
   * `NaN` is a defect (a `RangeError`), whether or not the waiter would have waited.
   */
  takeThen<A, E, R, E2 = never>(
    n: number,
    restore: Restore,
    next: Effect.Effect<A, E, R>,
    rank = 0,
    refused: Effect.Effect<never, E2> = Effect.never,
    room?: Room,
    onRefused?: () => void
  ): Effect.Effect<A, E | E2, R> {
    if (rank !== rank) throw new RangeError("PermitPool: a waiter's rank must be a number, got NaN")
    if (this.tryTake(n, room)) return next
    const waiter = this.enqueue(n, rank, room)
    waiter.onRefused = onRefused
    // a waiter ranked ahead of the head may fit in the permits the head is waiting to add up
    if (waiter === this.waiters.first) this.grant()
    return Effect.flatMap(
      waiter.wait(restore, room === undefined ? this.hooks(n) : this.roomHooks(waiter)),
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
    this.free += n
    if (room !== undefined) {
      room.leave()
      this.rooms.seat(room)
    }
    this.grant()
  }

  /** Serves the waiters that can be served now: after a room's size changed (other than by `release`). */
  serve(): void {
    this.rooms.seatAll()
    this.grant()
  }

  /**
   * Adds `delta` permits (a negative one takes them away): a grow serves the waiters it can at
   * once; a shrink takes free permits first and the rest from holders as they let go — nobody
   * holding permits is ever made to give them back early. Rooms are put right first, as by
   * {@link serve}: a room that grew with the pool (both resized at once) has its first in line
   * before anyone is served.
   */
  resize(delta: number): void {
    this.free += delta
    this.total += delta
    this.rooms.seatAll()
    if (delta < 0) {
      // a waiter asking for more than there are now is served alone, when all are free
      for (const line of this.lines()) {
        for (let node = line.first; node !== undefined; node = node.next as PermitWaiter | undefined) {
          if (node.n > this.total) node.alone = true
        }
      }
    }
    this.grant()
  }

  /** Sends the waiter that has waited longest away unserved: `true` if there was one. */
  refuseOldest(): boolean {
    let oldest: PermitWaiter | undefined = undefined
    for (const line of this.lines()) {
      for (let node = line.first; node !== undefined; node = node.next as PermitWaiter | undefined) {
        if (oldest === undefined || node.seq < oldest.seq) oldest = node
        // each rank is in order of arrival: the rest of the last rank came after its first
        if (node.rank === line.last!.rank) break
      }
    }
    return oldest !== undefined && this.refuse(oldest)
  }

  /** `waiters`, then each room's waiters aside. */
  private *lines(): Iterable<Ranked<PermitWaiter>> {
    yield this.waiters
    yield* this.rooms.asideLines()
  }

  private refuse(waiter: PermitWaiter): boolean {
    if (!waiter.settle(REFUSED)) return false
    waiter.onRefused?.()
    this.left(waiter)
    return true
  }

  /** After `waiter` left unserved (refused, timed out, interrupted): its room's next may step up. */
  private left(waiter: PermitWaiter): void {
    // one that waited aside changed nothing in `waiters`; a large request leaving the line may let
    // smaller ones behind it through
    if (waiter.room === undefined || this.rooms.left(waiter, waiter.room)) this.grant()
  }

  /** The hooks of a wait for one permit, made once: most waits are for one. */
  private readonly hooksForOne = this.makeHooks(1)

  private hooks(n: number): WaitHooks<boolean> {
    return n === 1 ? this.hooksForOne : this.makeHooks(n)
  }

  private makeHooks(n: number): WaitHooks<boolean> {
    return { onLost: (granted) => granted && this.release(n), onCancel: () => this.grant() }
  }

  private roomHooks(waiter: PermitWaiter): WaitHooks<boolean> {
    return { onLost: (granted) => granted && this.release(waiter.n, waiter.room), onCancel: () => this.left(waiter) }
  }

  private enqueue(n: number, rank: number, room?: Room): PermitWaiter {
    const waiter = new Waiter<boolean>(this.waiters) as PermitWaiter
    waiter.n = n
    waiter.rank = rank
    waiter.seq = this.arrivals++
    waiter.alone = false
    waiter.room = room
    waiter.onRefused = undefined
    if (room === undefined) this.waiters.push(waiter)
    else this.rooms.join(waiter, room)
    return waiter
  }

  /**
   * Serves the head of `waiters` while it fits (the first that does not stops the line: no one
   * overtakes it), each room's next stepping into line as its first is served.
   */
  private grant(): void {
    for (let node = this.waiters.first; node !== undefined; node = this.waiters.first) {
      const room = node.room
      if (room !== undefined && !room.hasRoom()) {
        // found full (shrunk): its first goes aside
        this.rooms.seat(room)
        continue
      }
      if (!(this.free >= node.n || (node.alone && this.total > 0 && this.free >= this.total))) return
      this.free -= node.n
      node.grant(true)
      if (room !== undefined) {
        room.enter()
        this.rooms.served(room)
      }
    }
  }
}
