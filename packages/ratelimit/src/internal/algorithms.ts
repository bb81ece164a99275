import * as Fifo from "@fiberkit/sync/Fifo"
import * as Remainder from "./remainder.js"

/**
 * The three algorithms as pure state machines over integer milliseconds: when may a start of
 * `cost` happen, and what does a start change. All arithmetic is on integers (token and time
 * quantities are scaled by the interval or the limit), so no rounding drifts over time.
 *
 * @internal
 */
export interface Algorithm {
  /** The most cost that can ever start at once. */
  readonly capacity: number
  /** The earliest time ≥ `now` at which a start of `cost` is allowed, given the past starts. */
  earliest(now: number, cost: number): number
  /** Records a start of `cost` at `now`; `now` must be at least `earliest(now, cost)`. */
  commit(now: number, cost: number): void
  /** The cost that could start at `now`. */
  available(now: number): number
  /** Whether the past starts no longer matter at `now`: the state is as if new. */
  atRest(now: number): boolean
  /** Empties the capacity at `now`: afterwards `available(now)` is 0. Never makes a wait shorter. */
  drain(now: number): void
  /**
   * The same algorithm with new numbers from `now` on, keeping what the past starts still owe
   * (see each algorithm).
   */
  resized(now: number, capacity: number, limit: number, interval: number): Algorithm
}
// `earliest`, `available` and `atRest` are reads: they change nothing, so a read on a clock ahead of
// the limiter's users (another fiber's `Clock`) neither forgets past starts nor holds later ones back

/**
 * Strict, in real time: no window of length `interval` holds more than `limit` cost. The clock
 * reads whole milliseconds, so a start read as `t` happened in `[t, t + 1)`; it counts until the
 * clock reads `t + interval + 1`, and a later start is more than `interval` after it in real
 * time. (On the clock's readings: no closed window `[a, a + interval]` holds more than `limit`.)
 * It keeps the starts of the last interval (at most `limit` of them), and forgets older ones at the
 * next start or change — not at a read.
 *
 * @internal
 */
export class SlidingWindow implements Algorithm {
  /**
   * The starts of the last interval, oldest first: when (in ms after `origin`), and how much.
   * Times are kept relative to `origin`, moved to each start that finds the window empty, so they
   * stay small integers: a ring of plain epoch milliseconds would box every one of them.
   */
  private readonly times = new Fifo.Fifo<number>()
  private readonly costs = new Fifo.Fifo<number>()
  private origin = 0
  private sum = 0

  constructor(public capacity: number, private interval: number) {}

  /** The log of starts is kept: the new limit counts them, over the new interval (those older than the old one are gone). */
  resized(now: number, capacity: number, _limit: number, interval: number): Algorithm {
    this.prune(now)
    this.capacity = capacity
    this.interval = interval
    return this
  }

  /** How many of the oldest starts no longer count at `now` (before `now - interval`). */
  private expiredAt(now: number): number {
    const horizon = now - this.origin - this.interval - 1
    let expired = 0
    while (expired < this.times.length && this.times.at(expired) <= horizon) expired++
    return expired
  }

  /** The cost of the starts that still count, the `expired` oldest left out. */
  private sumAfter(expired: number): number {
    let sum = this.sum
    for (let i = 0; i < expired; i++) sum -= this.costs.at(i)
    return sum
  }

  /** Forgets the starts before `now - interval`: only for a start or a change, never for a read. */
  private prune(now: number): void {
    for (let expired = this.expiredAt(now); expired > 0; expired--) {
      this.times.shift()
      this.sum -= this.costs.shift()
    }
  }

  // reads forget nothing: a read on a clock ahead of the limiter's (another fiber's `Clock`) must
  // not let the starts it has not reached yet go through

  earliest(now: number, cost: number): number {
    const expired = this.expiredAt(now)
    let excess = this.sumAfter(expired) + cost - this.capacity
    if (excess <= 0) return now
    // the oldest starts expire first: wait until enough of them have
    for (let i = expired; i < this.times.length; i++) {
      excess -= this.costs.at(i)
      if (excess <= 0) return this.origin + this.times.at(i) + this.interval + 1
    }
    // a cost above the capacity (asked before a resize shrank it) starts alone, once the window is
    // empty: now, if it is
    if (this.times.length === expired) return now
    return this.origin + this.times.at(this.times.length - 1) + this.interval + 1
  }

  commit(now: number, cost: number): void {
    this.prune(now)
    if (this.times.length === 0) this.origin = now
    this.times.push(now - this.origin)
    this.costs.push(cost)
    this.sum += cost
  }

  available(now: number): number {
    // 0, not less, while a shrink leaves the window over
    return Math.max(0, this.capacity - this.sumAfter(this.expiredAt(now)))
  }

  atRest(now: number): boolean {
    return this.expiredAt(now) === this.times.length
  }

  /** As if the capacity still free had all started at `now`: it comes back `interval + 1` ms later. */
  drain(now: number): void {
    const free = this.available(now)
    if (free > 0) this.commit(now, free)
  }
}

/**
 * A bucket of `capacity` tokens, refilled continuously at `limit` per `interval`; a start takes
 * `cost` tokens. Levels are kept in tokens × `interval`, so a millisecond refills exactly `limit`
 * units: integers, so nothing drifts by rounding. A resize can leave a fraction of a unit the new
 * interval cannot express (a third of a token, to a bucket of 2 ms): it is carried aside exactly
 * (see `resized`). A window of length `w` holds at most `capacity + limit × w / interval` cost.
 *
 * @internal
 */
export class TokenBucket implements Algorithm {
  /** Tokens × interval, rounded down: an integer, below 0 while a start above a shrunk burst is paid back. */
  private level: number
  /**
   * What the last resize left of a unit beyond `level`, in [0, 1): the tokens are exactly
   * `(level + carry) / interval`. A start decides on `level` alone — it needs a whole number of
   * units, and `carry` is less than one — so it is read only by the next resize, and forgotten
   * once the bucket is full or drained (the level is then exact again).
   */
  private carry = Remainder.NONE
  private last = Number.NEGATIVE_INFINITY

  constructor(readonly capacity: number, private readonly limit: number, private readonly interval: number) {
    this.level = capacity * interval
  }

  /**
   * The tokens in the bucket at `now` are kept (at most the new capacity), and refill at the new
   * rate. Exactly: the fraction of a unit the new interval cannot express is carried aside, so
   * resizes — back and forth, or to the same numbers — lose nothing (past a denominator of 2^128
   * the carried fraction is rounded down, by less than 2^-128 of a unit: later, never earlier).
   */
  resized(now: number, capacity: number, limit: number, interval: number): Algorithm {
    this.refill(now)
    const next = new TokenBucket(capacity, limit, interval)
    next.last = this.last
    // past 2^53 the level is no longer exact: the carry is dropped (fewer tokens: later)
    const carry = Number.isSafeInteger(this.level) ? this.carry : Remainder.NONE
    const level = Remainder.times(Remainder.plus(this.level, carry), interval, this.interval)
    if (!Remainder.atLeast(level, Remainder.exactly(next.level))) { // not full
      const { part, whole } = Remainder.splitDown(level)
      next.level = whole
      next.carry = part
    }
    return next
  }

  /** The level at `now`, refilled since `last` (a reading before `last` counts as `last`); moves nothing. */
  private levelAt(now: number): number {
    if (now <= this.last) return this.level
    const full = this.capacity * this.interval
    // a product past 2^53 is far above `full`: rounded, it still clears it
    return this.last === Number.NEGATIVE_INFINITY ? full : Math.min(full, this.level + (now - this.last) * this.limit)
  }

  /** Moves `last` to `now`, for a start or a change: the level refilled up to it. */
  private refill(now: number): void {
    if (now > this.last) {
      this.level = this.levelAt(now)
      this.last = now
      // full: whatever was carried spilled over
      if (this.carry !== Remainder.NONE && this.level === this.capacity * this.interval) this.carry = Remainder.NONE
    }
  }

  earliest(now: number, cost: number): number {
    // a cost above the capacity (asked before a resize shrank it) starts alone, once the bucket is full
    const missing = Math.min(cost, this.capacity) * this.interval - this.levelAt(now)
    // nothing refills before `last`: a reading before it waits from there
    return missing <= 0 ? now : Math.max(now, this.last) + Math.ceil(missing / this.limit)
  }

  commit(now: number, cost: number): void {
    this.refill(now)
    this.level -= cost * this.interval
  }

  // reads move nothing (see `Algorithm`)

  available(now: number): number {
    // 0, not less, while a start above a shrunk burst is still paid back
    return Math.max(0, Math.floor(this.levelAt(now) / this.interval))
  }

  atRest(now: number): boolean {
    return this.levelAt(now) === this.capacity * this.interval
  }

  /**
   * No token left at `now` (not even part of one); the bucket refills from there. A debt (a start
   * above a shrunk burst) stays: a drain never makes a wait shorter.
   */
  drain(now: number): void {
    this.refill(now)
    if (this.level >= 0) {
      this.level = 0
      this.carry = Remainder.NONE
    }
  }
}

/**
 * The generic cell rate algorithm: a theoretical arrival time `tat` advances by
 * `cost × interval / limit` per start; a start of `cost` may happen once `tat` is at most
 * `burst - cost` emission intervals ahead of now (for a cost above the burst, asked before a
 * resize shrank it or above a burst of 1, once `tat` is not ahead: it starts alone). So a start of
 * `cost` counts its own cost against the burst: every stretch from an earlier start `s` to a start
 * at `t` holds at most `burst + limit × (t - s) / interval` cost (or the one start above the
 * burst). With `burst` 1, each start comes at least `cost × interval / limit` after the previous
 * one, `cost` the previous one's. Times are kept in milliseconds × limit, so an emission interval
 * is exactly `interval` units.
 *
 * @internal
 */
export class Gcra implements Algorithm {
  /**
   * How far `tat` is ahead of `at` (≥ 0: a `tat` in the past decides as one at `at` would), in
   * milliseconds × limit. Kept relative to the last reading rather than as epoch milliseconds ×
   * limit, which pass 2^53 at any real date for limits above a few thousand and lose units.
   */
  private ahead = 0
  /**
   * By how much the last resize rounded `ahead` up to a whole unit, in [0, 1): the time booked is
   * exactly `ahead - excess`. A start decides on `ahead` alone — each decision rounds up to a whole
   * millisecond of whole units, which the excess never crosses — so it is read only by the next
   * resize, and forgotten once nothing is booked or a drain books more.
   */
  private excess = Remainder.NONE
  /** The last clock reading seen (ms); it never goes back. */
  private at = Number.NEGATIVE_INFINITY
  /** How far ahead of now `tat` may be for a start of 1: `burst - 1` emission intervals. */
  private readonly tolerance: number

  constructor(readonly capacity: number, private readonly limit: number, private readonly interval: number) {
    this.tolerance = (capacity - 1) * interval
  }

  /** How far `tat` is ahead of `now` (a reading before `at` counts as `at`), without moving `at`. */
  private aheadAt(now: number): number {
    // a product past 2^53 is far above any `ahead`: rounded, it still clears it
    return now <= this.at || this.ahead === 0 ? this.ahead : Math.max(0, this.ahead - (now - this.at) * this.limit)
  }

  /** Moves `at` to `now`, for a start or a change: what was ahead comes closer by the time passed. */
  private advance(now: number): void {
    if (now <= this.at) return
    this.ahead = this.aheadAt(now)
    this.at = now
    // nothing ahead: whatever was rounded up is paid
    if (this.ahead === 0) this.excess = Remainder.NONE
  }

  /**
   * The emission intervals already booked ahead of `now` are kept, each now the new one long — all
   * of them, even beyond the new burst (a start of a cost above the burst books more): the starts
   * made keep counting, at the new pace. Exactly: the time booked is rounded up to a whole unit of
   * the new numbers, and by how much is carried aside, so resizes — back and forth, or to the same
   * numbers — add nothing (past a denominator of 2^128 the carried fraction is rounded down, by
   * less than 2^-128 of a unit: later, never earlier).
   */
  resized(now: number, capacity: number, limit: number, interval: number): Algorithm {
    this.advance(now)
    const next = new Gcra(capacity, limit, interval)
    next.at = this.at
    if (this.ahead > 0) {
      // `ahead - excess` units booked, `this.interval` of them an emission interval, `interval` now;
      // past 2^53 `ahead` is no longer exact: the excess is dropped (more booked: later)
      const excess = Number.isSafeInteger(this.ahead) ? this.excess : Remainder.NONE
      const { part, whole } = Remainder.splitUp(
        Remainder.times(Remainder.minus(this.ahead, excess), interval, this.interval)
      )
      next.ahead = whole
      next.excess = part
    }
    return next
  }

  earliest(now: number, cost: number): number {
    const needed = this.aheadAt(now) - this.tolerance + (Math.min(cost, this.capacity) - 1) * this.interval
    return needed <= 0 ? now : Math.max(now, this.at) + Math.ceil(needed / this.limit)
  }

  commit(now: number, cost: number): void {
    this.advance(now)
    this.ahead += cost * this.interval
  }

  // reads move nothing: a read on a clock ahead of the limiter's (another fiber's `Clock`) must
  // not hold back the starts on its own

  available(now: number): number {
    return Math.max(0, Math.floor((this.tolerance + this.interval - this.aheadAt(now)) / this.interval))
  }

  atRest(now: number): boolean {
    return this.aheadAt(now) === 0
  }

  /**
   * As if a whole burst had started at `now`: `tat` is at least `now + burst × interval / limit`,
   * so the next start comes one emission interval (`interval / limit`) after `now`.
   */
  drain(now: number): void {
    this.advance(now)
    if (this.ahead <= this.tolerance + this.interval) {
      this.ahead = this.tolerance + this.interval
      this.excess = Remainder.NONE
    }
  }
}
