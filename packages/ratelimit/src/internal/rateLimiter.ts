import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../RateLimiter.js"
import { type Algorithm, Gcra, SlidingWindow, TokenBucket } from "./algorithms.js"
import { type Recording, recording } from "./recording.js"

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

interface Ticket {
  readonly cost: number
  /** Resumes the ticket's fiber when it becomes the head of the line. */
  wake: (() => void) | undefined
  /** Started, or left the line. */
  done: boolean
}

/**
 * Requests start in first-come first-served order. The first in line starts as soon as the
 * algorithm allows, computed from the clock each time it wakes (so a late timer catches up, it
 * does not push every later start back); the others wait to be first. A request that finds no
 * line and room to start does so at once, without waiting.
 *
 * @internal
 */
export class Limiter {
  private line: Array<Ticket | undefined> = []
  private head = 0
  private waiting = 0
  private granted = 0

  constructor(readonly algorithm: Algorithm, readonly options: Api.RateLimiter.Resolved) {}

  /** Waits for a start of `cost`; the waits are interruptible through `restore`, the start is not. */
  acquire(cost: number, restore: Restore): Effect.Effect<void> {
    return Effect.clockWith((clock) => {
      if (this.waiting === 0) {
        const now = clock.unsafeCurrentTimeMillis()
        if (this.algorithm.earliest(now, cost) <= now) {
          this.start(now, cost)
          return Effect.void
        }
      }
      return this.wait(cost, clock, restore)
    })
  }

  private start(now: number, cost: number): void {
    this.algorithm.commit(now, cost)
    this.granted++
  }

  private wait(cost: number, clock: Clock.Clock, restore: Restore): Effect.Effect<void> {
    const ticket: Ticket = { cost, wake: undefined, done: false }
    this.line.push(ticket)
    this.waiting++
    const turn: Effect.Effect<void> = Effect.suspend(() => {
      if (this.first() !== ticket) {
        const first = Effect.async<void>((resume) => {
          // checked in the registration itself, so a wake-up cannot fall between check and wait
          if (this.first() === ticket) return resume(Effect.void)
          ticket.wake = () => resume(Effect.void)
          return Effect.sync(() => {
            ticket.wake = undefined
          })
        })
        return Effect.zipRight(restore(first), turn)
      }
      const now = clock.unsafeCurrentTimeMillis()
      const at = this.algorithm.earliest(now, cost)
      if (at > now) return Effect.zipRight(restore(Effect.sleep(Duration.millis(at - now))), turn)
      this.start(now, cost)
      this.leave(ticket)
      return Effect.void
    })
    return Effect.onInterrupt(turn, () => Effect.sync(() => this.leave(ticket)))
  }

  private first(): Ticket | undefined {
    while (this.head < this.line.length && this.line[this.head] === undefined) this.head++
    if (this.head > 64 && this.head * 2 > this.line.length) {
      this.line = this.line.slice(this.head)
      this.head = 0
    }
    return this.line[this.head]
  }

  /** Takes `ticket` out of the line (started or interrupted); wakes the next first one. */
  private leave(ticket: Ticket): void {
    if (ticket.done) return
    ticket.done = true
    this.waiting--
    const at = this.line.indexOf(ticket, this.head)
    if (at >= 0) this.line[at] = undefined
    const next = this.first()
    if (next?.wake !== undefined) {
      const wake = next.wake
      next.wake = undefined
      wake()
    }
  }

  stats(now: number): Api.RateLimiter.Stats {
    const available = this.algorithm.available(now)
    return { granted: this.granted, waiting: this.waiting, available, usage: this.algorithm.capacity - available }
  }

  atRest(now: number): boolean {
    return this.waiting === 0 && this.algorithm.atRest(now)
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
    const decoded = Duration.decodeUnknown(options.interval)
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
 * A limiter as users see it: callable, with `withCost`, `take` and `stats`. `limiter` finds the
 * `Limiter` for each use (a keyed limiter picks it by key at that moment).
 *
 * @internal
 */
export const facade = (
  options: Api.RateLimiter.Resolved,
  limiter: (now: number) => Limiter,
  recording?: Recording | undefined
): Api.RateLimiter => {
  const take = (cost: number, restore: Restore): Effect.Effect<void, InvalidOptions> => {
    const error = checkCost(options, cost)
    if (error !== undefined) return Effect.fail(error)
    return Effect.clockWith((clock) => limiter(clock.unsafeCurrentTimeMillis()).acquire(cost, restore))
  }
  const withCost =
    (cost: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | InvalidOptions, R> =>
      Effect.uninterruptibleMask((restore) =>
        recording === undefined
          ? Effect.zipRight(take(cost, restore), restore(effect))
          : recording.track((started) =>
            Effect.zipRight(take(cost, restore), Effect.zipRight(started, restore(effect)))
          )
      )
  const acquireOne = (restore: Restore) =>
    Effect.clockWith((clock) => limiter(clock.unsafeCurrentTimeMillis()).acquire(1, restore))
  const apply = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      recording === undefined
        ? Effect.zipRight(acquireOne(restore), restore(effect))
        : recording.track((started) => Effect.zipRight(acquireOne(restore), Effect.zipRight(started, restore(effect))))
    )
  return Object.assign(apply, {
    options,
    withCost,
    take: (cost = 1) => Effect.uninterruptibleMask((restore) => take(cost, restore)),
    stats: Effect.clockWith((clock) => {
      const now = clock.unsafeCurrentTimeMillis()
      return Effect.succeed(limiter(now).stats(now))
    })
  })
}

/** @internal */
export const make = (options: Api.RateLimiter.Options): Effect.Effect<Api.RateLimiter, InvalidOptions> =>
  Effect.flatMap(
    resolve("RateLimiter.make", options),
    (resolved) =>
      Effect.map(recording("RateLimiter", options.name), (recorded) => {
        const limiter = new Limiter(algorithmOf(resolved), resolved)
        return facade(resolved, () => limiter, recorded)
      })
  )
