import * as Durations from "@fiberkit/sync/Durations"
import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import type * as Handoff from "@fiberkit/sync/Handoff"
import * as Priority from "@fiberkit/sync/Priority"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../RateLimiter.js"
import { type Algorithm, Gcra, SlidingWindow, TokenBucket } from "./algorithms.js"
import { Limiter, nowOf } from "./rateLimiterCore.js"
import { type Recording, recording } from "./recording.js"
import { resolveSteering, type Steering } from "./steering.js"

type Restore = Handoff.Restore

const invalid = (operation: string, field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation, field, expected, value })

/** The options checked, with their defaults, or the first thing wrong with them (read once, now). */
const check = (operation: string, options: Api.RateLimiter.Options): Api.RateLimiter.Resolved | InvalidOptions => {
  const { algorithm: given, burst, interval: intervalGiven, limit } = options
  if (!Number.isSafeInteger(limit) || limit < 1) return invalid(operation, "limit", "an integer ≥ 1", limit)
  const decoded = Duration.fromInput(intervalGiven)
  const interval = decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
  if (!Number.isSafeInteger(interval) || interval < 1) {
    return invalid(operation, "interval", "a whole number of milliseconds ≥ 1", intervalGiven)
  }
  const algorithm = given ?? "sliding-window"
  if (algorithm !== "sliding-window" && algorithm !== "token-bucket" && algorithm !== "gcra") {
    return invalid(operation, "algorithm", `"sliding-window", "token-bucket" or "gcra"`, algorithm)
  }
  if (burst !== undefined) {
    if (algorithm === "sliding-window") {
      return invalid(operation, "burst", "absent for the sliding window (its burst is limit)", burst)
    }
    if (!Number.isSafeInteger(burst) || burst < 1) return invalid(operation, "burst", "an integer ≥ 1", burst)
  }
  return { limit, interval: Duration.millis(interval), algorithm, burst: burst ?? (algorithm === "gcra" ? 1 : limit) }
}

/** Checks the options and makes the algorithm. @internal */
export const resolve = (
  operation: string,
  options: Api.RateLimiter.Options
): Effect.Effect<Api.RateLimiter.Resolved, InvalidOptions> =>
  Effect.suspend(() => {
    const checked = check(operation, options)
    return checked instanceof InvalidOptions ? Effect.fail(checked) : Effect.succeed(checked)
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
  // a pause of 0 ends now: it changes nothing (rounding its start up would pause until the next ms)
  if (millis === 0) return Effect.void
  return Effect.clockWith((clock) =>
    Effect.sync(() => {
      // from the millisecond after now if now is part-way through one: never a pause ended early
      const now = nowOf(clock)
      limiter(now).pause(Math.ceil(Number(clock.monotonicTimeNanosUnsafe()) / 1_000_000), millis)
    })
  )
}

/** Drains the limiter `limiter(now)` picks. @internal */
export const drainOf = (limiter: (now: number) => Limiter): Effect.Effect<void> =>
  Effect.clockWith((clock) =>
    Effect.sync(() => {
      const now = nowOf(clock)
      limiter(now).drain(now)
    })
  )

/**
 * A limiter as users see it: callable, with `withCost`, `take`, `withPriority`, `stats` and the
 * rest. `limiter` finds the `Limiter` for each use (a keyed limiter picks it by key at that
 * moment); `reader` finds it for a read (`stats`, `awaitIdle`, `awaitSizeBelow`), which must
 * change nothing — a keyed limiter neither sweeps nor keeps a key for it. `ranking` turns each
 * request's priority (0 for all but `withPriority`) into its rank.
 *
 * @internal
 */
export const facade = (
  current: () => Api.RateLimiter.Resolved,
  limiter: (now: number) => Limiter,
  reader: () => Limiter,
  resizeAll: (now: number, options: Api.RateLimiter.Resolved) => void,
  ranking: Priority.Ranking,
  recording?: Recording | undefined
): Api.RateLimiter<PendingLimitExceeded> => {
  // the limiter is picked, and the start decided or the wait registered, in one step
  const acquire = (cost: number, restore: Restore, rank: number): Effect.Effect<void, PendingLimitExceeded> =>
    Effect.clockWith((clock) => {
      const now = nowOf(clock)
      return limiter(now).acquire(now, cost, clock, restore, rank)
    })
  // an impossible cost is a programming mistake: a defect, not an error every caller handles
  const take = (cost: number, restore: Restore, rank: number): Effect.Effect<void, PendingLimitExceeded> => {
    const error = checkCost(current(), cost)
    return error === undefined
      ? acquire(cost, restore, rank)
      : Effect.die(new Cause.IllegalArgumentError(error.message))
  }
  // the rank is taken at arrival (with aging, every request's, priority 0 included)
  const limited =
    (cost: number, priority: number) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | PendingLimitExceeded, R> =>
      ranking.withRank(priority, (rank) =>
        Effect.uninterruptibleMask((restore) =>
          recording === undefined
            ? Effect.andThen(take(cost, restore, rank), restore(effect))
            : recording.track((started) =>
              Effect.andThen(take(cost, restore, rank), Effect.andThen(started, restore(effect)))
            )
        ))
  const apply = limited(1, 0)
  const waitingBelow = (operation: string, size: number) =>
    Effect.suspend(() => reader().awaitSizeBelow(operation, size))
  const limiterFacade = Object.assign(apply, {
    withCost: (cost: number) => limited(cost, 0),
    take: (cost = 1) =>
      ranking.withRank(0, (rank) => Effect.uninterruptibleMask((restore) => take(cost, restore, rank))),
    stats: Effect.clockWith((clock) => Effect.sync(() => reader().stats(nowOf(clock)))),
    pause: (duration: Duration.Input) => pauseOf("RateLimiter.pause", duration, limiter),
    drain: drainOf(limiter),
    withPriority: (priority: number) => limited(1, priority),
    // the limiter's numbers read and the new ones set in one step, when it runs (an effect may be
    // built before, and run again; another resize may run meanwhile: none is undone)
    resize: (sizes: Api.RateLimiter.Sizes) =>
      Effect.clockWith((clock) =>
        Effect.suspend(() => {
          const resolved = check("RateLimiter.resize", resizedOptions(current(), sizes))
          if (resolved instanceof InvalidOptions) return Effect.fail(resolved)
          resizeAll(nowOf(clock), resolved)
          recording?.limited(resolved.limit)
          return Effect.void
        })
      ),
    awaitIdle: waitingBelow("RateLimiter.awaitIdle", 1),
    awaitSizeBelow: (size: number) => waitingBelow("RateLimiter.awaitSizeBelow", size)
  })
  return Object.defineProperty(limiterFacade, "options", { get: current, enumerable: true }) as
    & typeof limiterFacade
    & { readonly options: Api.RateLimiter.Resolved }
}

/** The ranking of a limiter's priorities: strict, or aged by `steering.agingMillis`. @internal */
export const rankingOf = (steering: Steering): Priority.Ranking =>
  new Priority.Ranking("RateLimiter.withPriority", steering.agingMillis)

/** The options after a resize, to check: the algorithm stays; each number given replaces its own. */
const resizedOptions = (options: Api.RateLimiter.Resolved, sizes: Api.RateLimiter.Sizes): Api.RateLimiter.Options => {
  const { burst, interval, limit } = sizes
  return {
    limit: limit ?? options.limit,
    interval: interval ?? options.interval,
    algorithm: options.algorithm,
    burst: options.algorithm === "sliding-window" ? burst : burst ?? options.burst
  }
}

/** @internal */
export const make = (
  options: Api.RateLimiter.Options & Api.RateLimiter.SteeringOptions
): Effect.Effect<Api.RateLimiter<PendingLimitExceeded>, InvalidOptions> =>
  Effect.flatMap(
    Effect.zip(resolve("RateLimiter.make", options), resolveSteering("RateLimiter.make", options)),
    ([resolved, steering]) =>
      Effect.map(recording("RateLimiter", options.name), (recorded) => {
        recorded?.limited(resolved.limit)
        const bound = { source: "RateLimiter", maxPending: steering.maxPending, onFull: steering.onFull }
        const limiter = new Limiter(algorithmOf(resolved), resolved, bound)
        return facade(
          () => limiter.options,
          () => limiter,
          () => limiter,
          (now, options) => limiter.resize(now, options),
          rankingOf(steering),
          recorded
        )
      })
  )
