import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../KeyedRateLimiter.js"
import type * as RateLimiter from "../RateLimiter.js"
import { algorithmOf, drainOf, facade, pauseOf, rankingOf, resolve } from "./rateLimiter.js"
import { Limiter } from "./rateLimiterCore.js"
import { recording } from "./recording.js"
import { type Bound, resolveSteering } from "./steering.js"

/**
 * The limiters by key, in the order of their last use. Every half idle timeout, a sweep forgets
 * the keys unused for an idle timeout whose limiter is at rest (nobody waiting, no past start
 * still counting) — a key forgotten any earlier could let a new limiter allow a burst.
 */
class Keyed<K> {
  private readonly limiters = new Map<K, { limiter: Limiter; lastUsed: number }>()
  private nextSweep = Number.NEGATIVE_INFINITY

  constructor(
    public options: RateLimiter.RateLimiter.Resolved,
    private readonly idleTimeout: number,
    private readonly bound: Bound
  ) {}

  /** Every key's limiter resized, and the keys met from now on made with the new numbers. */
  resize(now: number, options: RateLimiter.RateLimiter.Resolved): void {
    this.options = options
    for (const entry of this.limiters.values()) entry.limiter.resize(now, options)
  }

  get(key: K, now: number): Limiter {
    if (now >= this.nextSweep) this.sweep(now)
    let entry = this.limiters.get(key)
    if (entry === undefined) {
      entry = { limiter: new Limiter(algorithmOf(this.options), this.options, this.bound), lastUsed: now }
    } else {
      this.limiters.delete(key) // re-inserted below: the map stays in order of last use
    }
    entry.lastUsed = now
    this.limiters.set(key, entry)
    return entry.limiter
  }

  /**
   * The key's limiter for a read, which changes nothing: no sweep (a read on a clock ahead would
   * forget keys whose starts still count on the users' clock), no use noted, and for a key not
   * kept, a new limiter left out of the map (the state a forgotten key is in).
   */
  peek(key: K): Limiter {
    return this.limiters.get(key)?.limiter ?? new Limiter(algorithmOf(this.options), this.options, this.bound)
  }

  private sweep(now: number): void {
    this.nextSweep = now + Math.max(1, Math.floor(this.idleTimeout / 2))
    for (const [key, entry] of this.limiters) {
      if (entry.lastUsed > now - this.idleTimeout) break
      if (entry.limiter.atRest(now)) this.limiters.delete(key)
    }
  }

  get size(): number {
    return this.limiters.size
  }
}

/** @internal */
export const make = <K>(
  options: Api.KeyedRateLimiter.Options
): Effect.Effect<Api.KeyedRateLimiter<K, PendingLimitExceeded>, InvalidOptions> =>
  Effect.flatMap(
    Effect.zip(resolve("KeyedRateLimiter.make", options), resolveSteering("KeyedRateLimiter.make", options)),
    ([resolved, steering]) => {
      const decoded = Duration.fromInput(options.idleTimeout ?? "1 minute")
      const idleTimeout = decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
      if (!(idleTimeout >= 1)) {
        return Effect.fail(
          new InvalidOptions({
            operation: "KeyedRateLimiter.make",
            field: "idleTimeout",
            expected: "a duration ≥ 1 millisecond",
            value: options.idleTimeout
          })
        )
      }
      // each key's line is bounded on its own
      const bound = { source: "KeyedRateLimiter", maxPending: steering.maxPending, onFull: steering.onFull }
      const keyed = new Keyed<K>(resolved, idleTimeout, bound)
      const ranking = rankingOf(steering)
      const resizeAll = (now: number, options: RateLimiter.RateLimiter.Resolved) => keyed.resize(now, options)
      return Effect.map(recording("KeyedRateLimiter", options.name), (recorded) => {
        // each key's limit (the same for every key); `facade`'s resize sets the new one
        recorded?.limited(resolved.limit)
        // one recording for every key: a key is no instance of its own
        const byKey = (key: K): RateLimiter.RateLimiter<PendingLimitExceeded> =>
          facade(() => keyed.options, (now) => keyed.get(key, now), () => keyed.peek(key), resizeAll, ranking, recorded)
        return Object.assign(byKey, {
          size: Effect.sync(() => keyed.size),
          pause: (key: K, duration: Duration.Input) =>
            pauseOf("KeyedRateLimiter.pause", duration, (now) => keyed.get(key, now)),
          drain: (key: K) => drainOf((now) => keyed.get(key, now))
        })
      })
    }
  )
