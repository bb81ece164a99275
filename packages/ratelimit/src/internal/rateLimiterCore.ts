import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Handoff from "@fiberkit/sync/Handoff"
import * as WaitQueue from "@fiberkit/sync/WaitQueue"
import { Watchers } from "@fiberkit/sync/Watchers"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Api from "../RateLimiter.js"
import type { Algorithm } from "./algorithms.js"
import { type Bound, shed } from "./steering.js"

type Restore = Handoff.Restore

/**
 * The limiter's clock reading: whole milliseconds of the Clock's monotonic time, which never goes
 * back — a wall clock stepped back (NTP, a VM resumed) would make past starts look ahead and stall
 * every request until it caught up. @internal
 */
export const nowOf = (clock: Clock.Clock): number => Number(clock.monotonicTimeNanosUnsafe() / 1_000_000n)

/**
 * A waiting request: in line, or holding the turn. `seq` is its number in order of arrival;
 * `dropped` is set when `dropOldest` sends it away — holding the turn, it then fails at its next
 * look instead of starting (the turn has gone on to the next already).
 */
interface Place {
  seq: number
  dropped: PendingLimitExceeded | undefined
}

/**
 * A request waiting in line: handed the turn (its own place, granted to itself) when it becomes
 * the first; failed with `PendingLimitExceeded` when dropped from the line.
 */
interface Ticket extends Handoff.Waiter<Place, PendingLimitExceeded>, Place {
  /** Its place in line: lower ranks first, equal ranks in order of arrival. */
  rank: number
}

/**
 * A rate limit's line of requests. One request at a time holds the turn: it starts as soon as the
 * algorithm allows, computed from the clock each time it wakes (so a late timer catches up, it
 * does not push every later start back), then hands the turn to the first in `line` (`Handoff`
 * waiters, ranked by priority). A request that finds no one waiting and room to start does so at
 * once, without waiting.
 *
 * Check where you register: `acquire` reads the clock, decides and joins the line in one step
 * (the facade picks the limiter in that same step), so no other fiber can change the state, or
 * a keyed limiter evict this one, between the decision and the registration.
 *
 * A bound (`maxPending`) counts every request waiting, the turn holder included; `dropOldest`
 * sends away the one that arrived first, the turn holder too (its turn passes on at once).
 *
 * @internal
 */
export class Limiter {
  private readonly line = new WaitQueue.Ranked<Ticket>()
  /** The request holding the turn: waiting for its start, or the turn is on its way to it. */
  private holder: Place | undefined = undefined
  private arrivals = 0
  private granted = 0
  /** No start before this time (ms): the end of the longest pause asked for. */
  private pausedUntil = Number.NEGATIVE_INFINITY

  /** What the request holding the turn sleeps on: rung early by a `resize` or a drop, so it looks again. */
  private readonly alarms = new WaitQueue.WaitQueue<Handoff.Waiter<void>>()

  /** `awaitIdle` and `awaitSizeBelow`: checked after each request stops waiting. */
  readonly watchers = new Watchers()

  constructor(public algorithm: Algorithm, public options: Api.RateLimiter.Resolved, readonly bound: Bound) {}

  /** Requests waiting for their start: in line, and the one holding the turn. */
  get waiting(): number {
    return this.line.size + (this.holder === undefined ? 0 : 1)
  }

  /**
   * New numbers from `now` on (the algorithm stays): what past starts still owe is kept (see
   * `Algorithm.resized`), and the request holding the turn computes its start again at once — a
   * grow lets it start now if the new numbers allow.
   */
  resize(now: number, options: Api.RateLimiter.Resolved): void {
    this.options = options
    this.algorithm = this.algorithm.resized(now, options.burst, options.limit, Duration.toMillis(options.interval))
    this.alarms.first?.grant(undefined)
  }

  /**
   * A start of `cost` at `now`: done at once if no one waits and the algorithm allows it; else the
   * wait for it, interruptible through `restore` (the start itself is not), placed in line by
   * `rank`. Refused at once, or later dropped, with `PendingLimitExceeded` by a full bound. Runs
   * in the caller's uninterruptible region.
   */
  acquire(
    now: number,
    cost: number,
    clock: Clock.Clock,
    restore: Restore,
    rank: number
  ): Effect.Effect<void, PendingLimitExceeded> {
    const full = this.admit(now, cost)
    if (full !== undefined) return Effect.fail(full)
    if (this.holder === undefined && this.line.size === 0 && this.earliest(now, cost) <= now) {
      this.start(now, cost)
      return Effect.void
    }
    const seq = this.arrivals++
    return Effect.ensuring(
      this.holder === undefined ? this.takeTurn(seq, cost, clock, restore) : this.join(seq, rank, cost, clock, restore),
      this.checkWatchers
    )
  }

  private readonly checkWatchers = Effect.sync(() => this.watchers.check())

  private takeTurn(seq: number, cost: number, clock: Clock.Clock, restore: Restore) {
    const place: Place = { seq, dropped: undefined }
    this.holder = place
    return this.turn(place, cost, clock, restore)
  }

  private join(seq: number, rank: number, cost: number, clock: Clock.Clock, restore: Restore) {
    const ticket = new Handoff.Waiter<Place, PendingLimitExceeded>(this.line) as Ticket
    ticket.seq = seq
    ticket.dropped = undefined
    ticket.rank = rank
    this.line.push(ticket)
    return Effect.flatMap(
      ticket.wait(restore, this.hooks),
      (turn) => Effect.andThen(this.yielded(turn, restore), this.turn(turn, cost, clock, restore))
    )
  }

  /**
   * Checked in the same step as the line is joined: `undefined` if this request may go on (start
   * or wait). A full line refuses it, or makes room by dropping the request that arrived first.
   */
  private admit(now: number, cost: number): PendingLimitExceeded | undefined {
    const max = this.bound.maxPending
    if (max === undefined || this.waiting < max) return undefined
    if (this.waiting === 0 && this.earliest(now, cost) <= now) return undefined
    if (this.bound.onFull === "fail") return this.shed(false)
    return this.dropOldest() ? undefined : this.shed(false)
  }

  /** Sends the request that arrived first away with `PendingLimitExceeded`: `true` if there was one. */
  private dropOldest(): boolean {
    let oldest: Place | undefined = this.holder
    for (let node = this.line.first; node !== undefined; node = node.next as Ticket | undefined) {
      if (oldest === undefined || node.seq < oldest.seq) oldest = node
    }
    if (oldest === undefined) return false
    const error = this.shed(true)
    if (oldest === this.holder) {
      // it fails when it wakes (its alarm rung now) or resumes; the turn is the next one's at once
      oldest.dropped = error
      this.alarms.first?.grant(undefined)
      this.passTurn()
    } else {
      const ticket = oldest as Ticket
      ticket.settle(Exit.fail(error))
    }
    return true
  }

  private shed(dropped: boolean): PendingLimitExceeded {
    return shed(this.bound, this.waiting, dropped)
  }

  /**
   * A turn is handed over inline: Effect 4 resumes the woken fiber inside `passTurn`, before the
   * fiber that passed it runs its own effect. So the new holder yields first, or its effect (and
   * the next ones, handed on in turn) would begin before the earlier starts' effects: starts in
   * order, effects beginning in reverse. Interrupted in that yield, it passes the turn on unused.
   */
  private yielded(turn: Place, restore: Restore): Effect.Effect<void> {
    return Effect.onInterrupt(restore(Effect.yieldNow), () => Effect.sync(() => this.leave(turn)))
  }

  /** A turn handed to a request interrupted before it resumed goes on to the next one. */
  private readonly hooks: Handoff.WaitHooks<Place> = { onLost: (turn) => this.leave(turn) }

  /** The earliest time ≥ `now` at which a start of `cost` is allowed: by the algorithm, and after any pause. */
  private earliest(now: number, cost: number): number {
    return Math.max(this.pausedUntil, this.algorithm.earliest(now, cost))
  }

  /**
   * No start before `now + millis`. A pause only ever extends the current one: the request holding
   * the turn sleeps until the time it computed, then computes again, so it never needs waking early.
   */
  pause(now: number, millis: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, now + millis)
  }

  /** Empties the available capacity at `now` (see `Algorithm.drain`). */
  drain(now: number): void {
    this.algorithm.drain(now)
  }

  private start(now: number, cost: number): void {
    this.algorithm.commit(now, cost)
    this.granted++
  }

  /**
   * Holding the turn: sleeps until the algorithm allows the start, starts, and passes the turn on
   * — or, dropped meanwhile, fails without starting (the turn has gone on already).
   */
  private turn(
    self: Place,
    cost: number,
    clock: Clock.Clock,
    restore: Restore
  ): Effect.Effect<void, PendingLimitExceeded> {
    const attempt: Effect.Effect<void, PendingLimitExceeded> = Effect.suspend(() => {
      if (self.dropped !== undefined) return Effect.fail(self.dropped)
      const now = nowOf(clock)
      const at = this.earliest(now, cost)
      if (at > now) return Effect.andThen(this.sleep(at - now, restore), attempt)
      this.start(now, cost)
      this.passTurn()
      return Effect.void
    })
    return Effect.onInterrupt(attempt, () => Effect.sync(() => this.leave(self)))
  }

  /**
   * Sleeps `millis` (interruptibly, through `restore`), or less if a `resize` or a drop rings
   * first. The timer starts at once, in this step, so its sleep is registered with the clock
   * before anything else runs (as a plain `Effect.sleep` would be); it is stopped, without waiting
   * for it, in the step the sleep ends — a late ring finds the alarm answered and does nothing.
   */
  private sleep(millis: number, restore: Restore): Effect.Effect<void> {
    const alarm = new Handoff.Waiter<void>(this.alarms)
    this.alarms.push(alarm)
    const ring = Effect.andThen(Effect.sleep(Duration.millis(millis)), Effect.sync(() => alarm.grant(undefined)))
    return Effect.flatMap(
      Effect.forkDetach(Effect.interruptible(ring), { startImmediately: true }),
      (timer) => Effect.ensuring(alarm.wait(restore), Effect.sync(() => timer.interruptUnsafe()))
    )
  }

  /** `turn` stops holding the turn (interrupted): it goes on — unless it has gone on already. */
  private leave(turn: Place): void {
    if (this.holder === turn) this.passTurn()
  }

  private passTurn(): void {
    const next = this.line.first
    this.holder = next
    next?.grant(next) // the turn is the next one's now
  }

  stats(now: number): Api.RateLimiter.Stats {
    const available = this.algorithm.available(now)
    const pausedFor = Math.max(0, this.pausedUntil - now)
    return {
      granted: this.granted,
      waiting: this.waiting,
      available,
      usage: this.algorithm.capacity - available,
      pausedFor
    }
  }

  atRest(now: number): boolean {
    return this.waiting === 0 && now >= this.pausedUntil && this.algorithm.atRest(now)
  }

  /**
   * Waits until fewer than `n` requests wait (`n` any integer ≥ 1, past 2^53 too; anything else is a
   * defect naming `operation`).
   */
  awaitSizeBelow(operation: string, n: number): Effect.Effect<void> {
    if (!Number.isInteger(n) || n < 1) {
      return Effect.die(new Cause.IllegalArgumentError(`${operation}: size must be an integer ≥ 1, got ${n}`))
    }
    return this.watchers.until(() => this.waiting < n)
  }
}
