import * as Durations from "@fiberkit/sync/Durations"
import * as Handoff from "@fiberkit/sync/Handoff"
import * as WaitQueue from "@fiberkit/sync/WaitQueue"
import * as Cause from "effect/Cause"
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../RateLimiter.js"
import { type Algorithm, Gcra, SlidingWindow, TokenBucket } from "./algorithms.js"
import { type Recording, recording } from "./recording.js"

type Restore = Handoff.Restore

/** A request waiting for its turn; granted when it becomes the first in line. */
type Ticket = Handoff.Waiter<void>

/** A ticket with its place in line: lower ranks first (`-priority`), equal ranks in order of arrival. */
interface RankedTicket extends Ticket {
  rank: number
}

/**
 * Requests start in first-come first-served order. One request at a time holds the turn: it is
 * the first in line, and starts as soon as the algorithm allows, computed from the clock each
 * time it wakes (so a late timer catches up, it does not push every later start back). The
 * others wait in `line` (`Handoff` waiters) until the turn is handed to them. A request that
 * finds no one waiting and room to start does so at once, without waiting.
 *
 * Check where you register: `acquire` reads the clock, decides and joins the line in one step
 * (the facade picks the limiter in that same step), so no other fiber can change the state, or
 * a keyed limiter evict this one, between the decision and the registration.
 *
 * @internal
 */
export class Limiter {
  private readonly line = new WaitQueue.WaitQueue<RankedTicket>()
  /** Whether a request holds the turn (it is waiting for its start, or the turn is on its way to it). */
  private turnTaken = false
  private granted = 0
  /** No start before this time (ms): the end of the longest pause asked for. */
  private pausedUntil = Number.NEGATIVE_INFINITY

  /** What the request holding the turn sleeps on: rung early by a `resize`, so it computes again. */
  private readonly alarms = new WaitQueue.WaitQueue<Ticket>()

  constructor(public algorithm: Algorithm, public options: Api.RateLimiter.Resolved) {}

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
   * wait for it, interruptible through `restore` (the start itself is not). Runs in the caller's
   * uninterruptible region.
   */
  acquire(now: number, cost: number, clock: Clock.Clock, restore: Restore, rank = 0): Effect.Effect<void> {
    if (!this.turnTaken) {
      if (this.line.size === 0 && this.earliest(now, cost) <= now) {
        this.start(now, cost)
        return Effect.void
      }
      this.turnTaken = true
      return this.turn(cost, clock, restore)
    }
    const ticket = new Handoff.Waiter<void>(this.line) as RankedTicket
    ticket.rank = rank
    this.line.insertBefore(ticket, this.firstRankedAfter(rank))
    return Effect.andThen(
      ticket.wait(restore, this.hooks),
      Effect.andThen(this.yielded(restore), this.turn(cost, clock, restore))
    )
  }

  /**
   * A turn is handed over inline: Effect 4 resumes the woken fiber inside `passTurn`, before the
   * fiber that passed it runs its own effect. So the new holder yields first, or its effect (and
   * the next ones, handed on in turn) would begin before the earlier starts' effects: starts in
   * order, effects beginning in reverse. Interrupted in that yield, it passes the turn on unused.
   */
  private yielded(restore: Restore): Effect.Effect<void> {
    return Effect.onInterrupt(restore(Effect.yieldNow), () => Effect.sync(() => this.passTurn()))
  }

  /** The first ticket of the line's tail ranked after `rank` (none: join at the end). */
  private firstRankedAfter(rank: number): RankedTicket | undefined {
    let after: RankedTicket | undefined = undefined
    for (
      let node = this.line.last;
      node !== undefined && node.rank > rank;
      node = node.prev as RankedTicket | undefined
    ) {
      after = node
    }
    return after
  }

  /** A turn handed to a request interrupted before it resumed goes on to the next one. */
  private readonly hooks: Handoff.WaitHooks<void> = { onLost: () => this.passTurn() }

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

  /** Holding the turn: sleeps until the algorithm allows the start, starts, and passes the turn on. */
  private turn(cost: number, clock: Clock.Clock, restore: Restore): Effect.Effect<void> {
    const attempt: Effect.Effect<void> = Effect.suspend(() => {
      const now = clock.currentTimeMillisUnsafe()
      const at = this.earliest(now, cost)
      if (at > now) return Effect.andThen(this.sleep(at - now, restore), attempt)
      this.start(now, cost)
      this.passTurn()
      return Effect.void
    })
    return Effect.onInterrupt(attempt, () => Effect.sync(() => this.passTurn()))
  }

  /**
   * Sleeps `millis` (interruptibly, through `restore`), or less if a `resize` rings first. The
   * timer starts at once, in this step, so its sleep is registered with the clock before anything
   * else runs (as a plain `Effect.sleep` would be); it is stopped, without waiting for it, in the
   * step the sleep ends — a late ring finds the alarm answered and does nothing.
   */
  private sleep(millis: number, restore: Restore): Effect.Effect<void> {
    const alarm: Ticket = new Handoff.Waiter<void>(this.alarms)
    this.alarms.push(alarm)
    const ring = Effect.andThen(Effect.sleep(Duration.millis(millis)), Effect.sync(() => alarm.grant(undefined)))
    return Effect.flatMap(
      Effect.forkDetach(Effect.interruptible(ring), { startImmediately: true }),
      (timer) => Effect.ensuring(alarm.wait(restore), Effect.sync(() => timer.interruptUnsafe()))
    )
  }

  private passTurn(): void {
    const next = this.line.first
    if (next === undefined) this.turnTaken = false
    else next.grant(undefined) // the turn stays taken: it is the next one's now
  }

  stats(now: number): Api.RateLimiter.Stats {
    const available = this.algorithm.available(now)
    const waiting = this.line.size + (this.turnTaken ? 1 : 0)
    const pausedFor = Math.max(0, this.pausedUntil - now)
    return { granted: this.granted, waiting, available, usage: this.algorithm.capacity - available, pausedFor }
  }

  atRest(now: number): boolean {
    return !this.turnTaken && this.line.size === 0 && now >= this.pausedUntil && this.algorithm.atRest(now)
  }
}

const invalid = (operation: string, field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation, field, expected, value })

/** Checks the options and makes the algorithm. @internal */
export const resolve = (
  operation: string,
  options: Api.RateLimiter.Options
): Effect.Effect<Api.RateLimiter.Resolved, InvalidOptions> =>
  Effect.suspend(() => {
    const { limit } = options
    if (!Number.isSafeInteger(limit) || limit < 1) {
      return Effect.fail(invalid(operation, "limit", "an integer ≥ 1", limit))
    }
    const decoded = Duration.fromInput(options.interval)
    const interval = decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
    if (!Number.isSafeInteger(interval) || interval < 1) {
      return Effect.fail(invalid(operation, "interval", "a whole number of milliseconds ≥ 1", options.interval))
    }
    const algorithm = options.algorithm ?? "sliding-window"
    if (algorithm !== "sliding-window" && algorithm !== "token-bucket" && algorithm !== "gcra") {
      return Effect.fail(invalid(operation, "algorithm", `"sliding-window", "token-bucket" or "gcra"`, algorithm))
    }
    const burst = options.burst
    if (burst !== undefined) {
      if (algorithm === "sliding-window") {
        return Effect.fail(invalid(operation, "burst", "absent for the sliding window (its burst is limit)", burst))
      }
      if (!Number.isSafeInteger(burst) || burst < 1) {
        return Effect.fail(invalid(operation, "burst", "an integer ≥ 1", burst))
      }
    }
    return Effect.succeed({
      limit,
      interval: Duration.millis(interval),
      algorithm,
      burst: burst ?? (algorithm === "gcra" ? 1 : limit)
    })
  })

/** @internal */
export const algorithmOf = (options: Api.RateLimiter.Resolved): Algorithm => {
  const interval = Duration.toMillis(options.interval)
  switch (options.algorithm) {
    case "sliding-window":
      return new SlidingWindow(options.limit, interval)
    case "token-bucket":
      return new TokenBucket(options.burst, options.limit, interval)
    case "gcra":
      return new Gcra(options.burst, options.limit, interval)
  }
}

/** `cost` checked against the limiter: an integer from 1 to `limit` (and to a token bucket's `burst`). @internal */
export const checkCost = (
  options: Api.RateLimiter.Resolved,
  cost: number
): InvalidOptions | undefined => {
  const most = options.algorithm === "token-bucket" ? Math.min(options.limit, options.burst) : options.limit
  return Number.isSafeInteger(cost) && cost >= 1 && cost <= most
    ? undefined
    : invalid("RateLimiter.withCost", "cost", `an integer from 1 to ${most}`, cost)
}

/**
 * Pauses the limiter `limiter(now)` picks for `duration`, rounded up to whole milliseconds. A
 * duration that is not finite and ≥ 0 is a programming mistake: a defect naming `operation`.
 *
 * @internal
 */
export const pauseOf = (
  operation: string,
  duration: Duration.Input,
  limiter: (now: number) => Limiter
): Effect.Effect<void> => {
  const decoded = Durations.decodeNonNegative(duration)
  const millis = Option.isSome(decoded) ? Math.ceil(Duration.toMillis(decoded.value)) : Number.NaN
  if (!Number.isFinite(millis)) {
    return Effect.die(
      new Cause.IllegalArgumentError(`${operation}: duration must be a finite duration ≥ 0, got ${String(duration)}`)
    )
  }
  return Effect.clockWith((clock) =>
    Effect.sync(() => {
      const now = clock.currentTimeMillisUnsafe()
      limiter(now).pause(now, millis)
    })
  )
}

/** Drains the limiter `limiter(now)` picks. @internal */
export const drainOf = (limiter: (now: number) => Limiter): Effect.Effect<void> =>
  Effect.clockWith((clock) =>
    Effect.sync(() => {
      const now = clock.currentTimeMillisUnsafe()
      limiter(now).drain(now)
    })
  )

/**
 * A limiter as users see it: callable, with `withCost`, `take` and `stats`. `limiter` finds the
 * `Limiter` for each use (a keyed limiter picks it by key at that moment).
 *
 * @internal
 */
export const facade = (
  current: () => Api.RateLimiter.Resolved,
  limiter: (now: number) => Limiter,
  resizeAll: (now: number, options: Api.RateLimiter.Resolved) => void,
  recording?: Recording | undefined
): Api.RateLimiter => {
  // the limiter is picked, and the start decided or the wait registered, in one step
  const acquire = (cost: number, restore: Restore, rank = 0): Effect.Effect<void> =>
    Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      return limiter(now).acquire(now, cost, clock, restore, rank)
    })
  // an impossible cost is a programming mistake: a defect, not an error every caller handles
  const take = (cost: number, restore: Restore): Effect.Effect<void> => {
    const error = checkCost(current(), cost)
    return error === undefined ? acquire(cost, restore) : Effect.die(new Cause.IllegalArgumentError(error.message))
  }
  const withCost = (cost: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      recording === undefined
        ? Effect.andThen(take(cost, restore), restore(effect))
        : recording.track((started) => Effect.andThen(take(cost, restore), Effect.andThen(started, restore(effect))))
    )
  const ranked = (rank: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      recording === undefined
        ? Effect.andThen(acquire(1, restore, rank), restore(effect))
        : recording.track((started) =>
          Effect.andThen(acquire(1, restore, rank), Effect.andThen(started, restore(effect)))
        )
    )
  const apply = ranked(0)
  const limiterFacade = Object.assign(apply, {
    withCost,
    take: (cost = 1) => Effect.uninterruptibleMask((restore) => take(cost, restore)),
    stats: Effect.clockWith((clock) => {
      const now = clock.currentTimeMillisUnsafe()
      return Effect.succeed(limiter(now).stats(now))
    }),
    pause: (duration: Duration.Input) => pauseOf("RateLimiter.pause", duration, limiter),
    drain: drainOf(limiter),
    withPriority: (priority: number) =>
      Number.isFinite(priority)
        ? ranked(-priority)
        : () =>
          Effect.die(
            new Cause.IllegalArgumentError(
              `RateLimiter.withPriority: priority must be a finite number, got ${priority}`
            )
          ),
    resize: (sizes: Api.RateLimiter.Sizes) =>
      Effect.flatMap(
        resizedOptions(current(), sizes),
        (resolved) =>
          Effect.clockWith((clock) => Effect.sync(() => resizeAll(clock.currentTimeMillisUnsafe(), resolved)))
      )
  })
  return Object.defineProperty(limiterFacade, "options", { get: current, enumerable: true }) as
    & typeof limiterFacade
    & { readonly options: Api.RateLimiter.Resolved }
}

/** The options after a resize: the algorithm stays; each number given replaces its own. */
const resizedOptions = (
  options: Api.RateLimiter.Resolved,
  sizes: Api.RateLimiter.Sizes
): Effect.Effect<Api.RateLimiter.Resolved, InvalidOptions> =>
  resolve("RateLimiter.resize", {
    limit: sizes.limit ?? options.limit,
    interval: sizes.interval ?? options.interval,
    algorithm: options.algorithm,
    burst: options.algorithm === "sliding-window" ? sizes.burst : sizes.burst ?? options.burst
  })

/** @internal */
export const make = (options: Api.RateLimiter.Options): Effect.Effect<Api.RateLimiter, InvalidOptions> =>
  Effect.flatMap(
    resolve("RateLimiter.make", options),
    (resolved) =>
      Effect.map(recording("RateLimiter", options.name), (recorded) => {
        const limiter = new Limiter(algorithmOf(resolved), resolved)
        return facade(() => limiter.options, () => limiter, (now, options) => limiter.resize(now, options), recorded)
      })
  )
