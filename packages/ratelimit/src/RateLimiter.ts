/**
 * Rate limiters: how many operations may start per interval — not how many run at once (that
 * is a `ConcurrencyLimiter`, the guide's semaphore). Three algorithms, each with one exact
 * guarantee, checked by property tests:
 *
 * - `"sliding-window"` (the default) is strict: no window of length `interval` holds more than
 *   `limit` starts (cost), in real time — the clock reads whole milliseconds, so a start waits
 *   one millisecond more than the readings alone would allow. Fixed-window limiters and token
 *   buckets allow up to twice the limit in some window — what gets API clients banned.
 * - `"token-bucket"`: bursts of up to `burst` (default `limit`) at once, and the long-run rate
 *   `limit / interval`: a window of length `w` holds at most `burst + limit × w / interval`.
 * - `"gcra"`: starts evenly spaced, `cost × interval / limit` apart; `burst` (default 1) lets
 *   up to `burst` start back to back.
 *
 * Waiting requests start first-come first-served, each as soon as its algorithm allows
 * (work-conserving, to the millisecond), computed from the clock — not from a chain of sleeps.
 * A late timer does not slow a sliding window or a token bucket: the starts it owes go at once.
 * GCRA without `burst` spaces each start from the previous one, so lateness carries forward;
 * `burst: 2` lets it catch up. A request interrupted while it waits consumes nothing.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { InvalidOptions } from "./Errors.js"
import * as internal from "./internal/rateLimiter.js"

/**
 * A limiter: apply it to an effect to make that effect wait for its turn to start.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limiter: RateLimiter.RateLimiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
 *   yield* limiter(Effect.log("a call")) // counts 1
 *   yield* limiter.withCost(5)(Effect.log("a bulk call")) // counts 5
 *   yield* limiter.take(2) // waits for a start of 2, without an effect
 *   return yield* limiter.stats // { granted: 8, waiting: 0, … }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RateLimiter {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
  /** The options, with defaults filled in. */
  readonly options: RateLimiter.Resolved
  /**
   * The limiter for a start that counts `cost` (an integer from 1 to `limit`; for a token
   * bucket also at most `burst`). Another cost is a programming mistake: a defect
   * (`IllegalArgumentError` naming the range), not an error every caller must handle.
   */
  readonly withCost: (
    cost: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Waits for a start of `cost` (default 1), for code that does not wrap an effect. */
  readonly take: (cost?: number) => Effect.Effect<void>
  readonly stats: Effect.Effect<RateLimiter.Stats>
  /**
   * No start is granted for `duration` from now (the Clock's now, rounded up to whole
   * milliseconds): for a server that answered `429 Too Many Requests` with a `Retry-After`. The
   * waiters keep their places in line and start in order once the pause is over, each as the
   * algorithm allows; a request arriving meanwhile joins the end of the line. A pause only ever
   * extends: it ends at the later of the current pause's end and `now + duration`, so a shorter
   * pause asked for later (or `pause(0)`) changes nothing. A pause does not consume capacity:
   * the algorithm's state is as it would be without it (`drain` does that). A duration that is
   * not finite and ≥ 0 (`-1`, `NaN`, `Duration.infinity`) is a programming mistake: a defect,
   * `IllegalArgumentError` naming the call and the value.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
   *   yield* limiter.pause("30 seconds") // the server said: Retry-After: 30
   *   yield* limiter(Effect.log("starts 30 s from now"))
   * })
   * ```
   */
  readonly pause: (duration: Duration.Input) => Effect.Effect<void>
  /**
   * Empties the capacity available now, as if it had all been used at this instant (for a server
   * that says the quota is spent). Per algorithm:
   *
   * - `"sliding-window"`: the cost still free counts as started now, so the window is full; each
   *   earlier start gives its part back when it leaves the window, and the drained part comes back
   *   `interval` (+ 1 ms) after the drain.
   * - `"token-bucket"`: the bucket holds 0 tokens (no fraction of one either) and refills from now
   *   at `limit / interval`: a start of `cost` comes `cost × interval / limit` (rounded up to ms)
   *   after the drain.
   * - `"gcra"`: the theoretical arrival time becomes at least `now + burst × interval / limit`, as
   *   if a whole burst had started now: the next start comes one emission interval,
   *   `interval / limit` (rounded up to ms), after the drain.
   *
   * A drain never makes any wait shorter, and does not count in `stats.granted`.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const limiter = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "token-bucket" })
   *   yield* limiter.drain // the server says the quota is spent
   *   return (yield* limiter.stats).available // 0: the next start comes 250 ms from now
   * })
   * ```
   */
  readonly drain: Effect.Effect<void>
  /**
   * Changes the numbers while in use — `limit`, `interval`, `burst`, each optional; the algorithm
   * stays. Checked as `make` checks them (`InvalidOptions`; a `burst` for the sliding window
   * too). From that moment: the sliding window keeps its log of starts and counts it against the
   * new limit over the new interval (starts older than the old interval are gone); the token
   * bucket keeps its tokens (at most the new burst) and refills at the new rate; GCRA keeps the
   * emission intervals it has booked ahead, each now the new length. The request holding the turn
   * computes its start again at once, so a grow lets it in now; a shrink makes the next starts
   * wait, interrupting none. For a `KeyedRateLimiter`, every key changes, and keys met later too.
   * A request already waiting whose cost is above the new maximum starts alone, once nothing else
   * counts.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
   *   // the API's plan was upgraded: 50 per second from now on
   *   yield* limiter.resize({ limit: 50 })
   *   return limiter.options.limit // 50
   * })
   * ```
   */
  readonly resize: (sizes: RateLimiter.Sizes) => Effect.Effect<void, InvalidOptions>
  /**
   * The limiter for a start of priority `priority` (a finite number; higher first; the plain
   * limiter is priority 0; not finite: a defect). It places the request in the line of waiters:
   * a higher priority goes ahead of lower ones that wait, equal priorities keep their order. The
   * request already holding the turn — waiting for the algorithm to allow its start — keeps it.
   * Strict: a steady stream of higher priorities can hold a lower one back for as long as it
   * lasts (a `ConcurrencyLimiter` has `aging` for that).
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second" })
   *   const interactive = limiter.withPriority(10)
   *   yield* Effect.all([limiter(Effect.log("batch export")), interactive(Effect.log("user click"))], {
   *     concurrency: "unbounded"
   *   })
   * })
   * ```
   */
  readonly withPriority: (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/**
 * @since 0.1.0
 */
export declare namespace RateLimiter {
  /**
   * @since 0.1.0
   * @category models
   */
  export type Algorithm = "sliding-window" | "token-bucket" | "gcra"

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options {
    /** Starts (total cost) allowed per `interval`: an integer ≥ 1. */
    readonly limit: number
    /** A whole number of milliseconds ≥ 1, e.g. `"1 second"`. */
    readonly interval: Duration.Input
    /** Default: `"sliding-window"`. */
    readonly algorithm?: Algorithm | undefined
    /** The most that may start at once: for `"token-bucket"` (default `limit`) and `"gcra"` (default 1). */
    readonly burst?: number | undefined
    /** The limiter's name in a Timeline (`@fiberkit/observe`). Default: its number, in order of creation. */
    readonly name?: string | undefined
  }

  /**
   * The new numbers of `resize`: any of them; the others stay.
   *
   * **Example**
   *
   * ```ts
   * import type { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const slower: RateLimiter.RateLimiter.Sizes = { limit: 5, interval: "1 second" }
   * ```
   *
   * @since 0.3.0
   * @category models
   */
  export interface Sizes {
    /** Starts (total cost) allowed per `interval`: an integer ≥ 1. */
    readonly limit?: number | undefined
    /** A whole number of milliseconds ≥ 1. */
    readonly interval?: Duration.Input | undefined
    /** For `"token-bucket"` and `"gcra"`: the most that may start at once, an integer ≥ 1. */
    readonly burst?: number | undefined
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Resolved {
    readonly limit: number
    readonly interval: Duration.Duration
    readonly algorithm: Algorithm
    readonly burst: number
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Stats {
    /** Starts granted so far. */
    readonly granted: number
    /** Requests waiting for their turn. */
    readonly waiting: number
    /** The cost that could start now. */
    readonly available: number
    /** The cost in use now: the capacity minus `available`. */
    readonly usage: number
    /** Milliseconds until the current pause ends; 0 when not paused. A pause does not change `available`. */
    readonly pausedFor: number
  }
}

/**
 * Makes a rate limiter. Fails `InvalidOptions` for a `limit` or `interval` below 1, an unknown
 * algorithm, or a `burst` that the algorithm does not take.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Effect } from "effect"
 * import { RateLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   // never more than 3 starts in any 1-second window
 *   const limit = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
 *   yield* Effect.forEach(
 *     ["/users", "/products", "/orders", "/reports"],
 *     (endpoint) => limit(Console.log(`GET ${endpoint}`)), // the 4th starts 1 s after the 1st
 *     { concurrency: "unbounded" }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: RateLimiter.Options) => Effect.Effect<RateLimiter, InvalidOptions> = internal.make
