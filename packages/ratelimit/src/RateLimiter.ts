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
 * - `"gcra"`: starts evenly spaced, `cost × interval / limit` apart (`cost` the earlier start's);
 *   `burst` (default 1) lets up to `burst` cost start back to back — a start counts its own cost
 *   against it, and a cost above the burst starts alone, once the earlier starts are paid for.
 *
 * Waiting requests start first-come first-served, each as soon as its algorithm allows
 * (work-conserving, to the millisecond), computed from the clock — not from a chain of sleeps.
 * A late timer does not slow a sliding window or a token bucket: the starts it owes go at once.
 * GCRA without `burst` spaces each start from the previous one, so lateness carries forward;
 * `burst: 2` lets it catch up. A request interrupted while it waits consumes nothing.
 *
 * Steering, as a `ConcurrencyLimiter` is steered: `withPriority(p)` places a request in line by
 * priority (strict, or with `aging` so that nobody starves), `maxPending` bounds the waiting
 * requests (`onFull: "fail"` refuses the newcomer, `"dropOldest"` drops the request that came
 * first — both with `PendingLimitExceeded`), `awaitIdle` / `awaitSizeBelow(n)` wait for the line
 * to empty or shrink, and `resize`, `pause` and `drain` change the limit in use.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { InvalidOptions, PendingLimitExceeded } from "./Errors.js"
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
export interface RateLimiter<out X = never> {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | X, R>
  /** The options, with defaults filled in. */
  readonly options: RateLimiter.Resolved
  /**
   * The limiter for a start that counts `cost` (an integer from 1 to `limit`; for a token
   * bucket also at most `burst`). Another cost is a programming mistake: a defect
   * (`IllegalArgumentError` naming the range), not an error every caller must handle.
   */
  readonly withCost: (
    cost: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X, R>
  /** Waits for a start of `cost` (default 1), for code that does not wrap an effect. */
  readonly take: (cost?: number) => Effect.Effect<void, X>
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
   *   after the drain. A bucket in debt (a start above a burst shrunk while it waited) keeps it.
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
   * emission intervals it has booked ahead, each now the new length — exactly, fractions of a
   * token or of an interval included, so a resize to the same numbers changes nothing (the
   * README's *Guarantees* say how far below 2^53 this holds). The request holding the turn
   * computes its start again at once, so a grow lets it in now; a shrink makes the next starts
   * wait, interrupting none. For a `KeyedRateLimiter`, every key changes, and keys met later too.
   * A request already waiting whose cost is above what the new numbers let start at once — the new
   * `limit` for the sliding window, the new `burst` for the token bucket and GCRA — starts alone,
   * once nothing else counts (the window empty, the bucket full, everything booked paid for). A
   * cost within them waits as any other, by the algorithm's bound, even above a token bucket's or
   * GCRA's new `limit` (the bound allows it; `withCost` no longer takes such a cost).
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
   * limiter, `withCost` and `take` are priority 0; not finite: a defect). It places the request in
   * the line of waiters: a higher priority goes ahead of lower ones that wait, equal priorities
   * keep their order. The request already holding the turn — waiting for the algorithm to allow
   * its start — keeps it. Strict by default: a steady stream of higher priorities can hold a
   * lower one back for as long as it lasts. With `aging: d`, a request of priority `p` is placed
   * as if it had arrived `p × d` earlier, so a waiter is overtaken only by requests arriving
   * within `(their priority − its priority) × d` after it: nobody starves.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   // the click goes ahead of plain requests that arrived up to 10 × 100 ms before it
   *   const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second", aging: "100 millis" })
   *   const interactive = limiter.withPriority(10)
   *   yield* Effect.all([limiter(Effect.log("batch export")), interactive(Effect.log("user click"))], {
   *     concurrency: "unbounded"
   *   })
   * })
   * ```
   */
  readonly withPriority: (
    priority: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X, R>
  /**
   * Waits until no request waits for its start — in line or holding the turn. The effects that
   * have started may still run: a rate limiter counts starts, not what is inside (a
   * `ConcurrencyLimiter`'s `awaitIdle` waits for those).
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second" })
   *   yield* Effect.forkChild(Effect.forEach([1, 2, 3, 4], (n) => limiter(Effect.log(`call ${n}`)), { concurrency: 4 }))
   *   yield* Effect.yieldNow
   *   yield* limiter.awaitIdle // 1 s later: calls 3 and 4 have started
   * })
   * ```
   */
  readonly awaitIdle: Effect.Effect<void>
  /**
   * Waits until fewer than `size` requests wait for their start (an integer ≥ 1; anything else is
   * a defect, `IllegalArgumentError`): p-queue's `onSizeLessThan`, to feed a producer no faster
   * than the limit lets its requests through.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const limiter = yield* RateLimiter.make({ limit: 10, interval: "1 second" })
   *   for (let n = 0; n < 100; n++) {
   *     yield* limiter.awaitSizeBelow(20) // never more than 20 waiting
   *     yield* Effect.forkChild(limiter(Effect.log(`call ${n}`)))
   *   }
   * })
   * ```
   */
  readonly awaitSizeBelow: (size: number) => Effect.Effect<void>
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
    /** The limiter's name in a Timeline (`@fiberkit/observe`) and its metrics' `group`. Default: its number, in order of creation. */
    readonly name?: string | undefined
  }

  /**
   * How the line of waiting requests is steered — options of the local limiters (`make`,
   * `KeyedRateLimiter.make`, per key), beside the numbers of {@link Options}.
   *
   * **Example**
   *
   * ```ts
   * import { RateLimiter } from "@fiberkit/ratelimit"
   *
   * // at most 50 waiting; the newest are worth more than the stale ones
   * const steering: RateLimiter.RateLimiter.SteeringOptions = { maxPending: 50, onFull: "dropOldest", aging: "1 second" }
   * const limiter = RateLimiter.make({ limit: 10, interval: "1 second", ...steering })
   * ```
   *
   * @since 0.4.0
   * @category models
   */
  export interface SteeringOptions {
    /**
     * The most requests waiting for their start, an integer ≥ 0 (0: never wait), the one holding
     * the turn included. Default: no bound. With a bound, the limiter's effects can fail with
     * `PendingLimitExceeded`; nothing of the limit is used by a request refused or dropped.
     */
    readonly maxPending?: number | undefined
    /**
     * With `maxPending`, when that many wait: refuse the newcomer (`"fail"`, the default) or
     * drop the request that arrived first (`"dropOldest"`) — even the one holding the turn, whose
     * turn then passes on at once.
     */
    readonly onFull?: "fail" | "dropOldest" | undefined
    /**
     * What one step of priority is worth in waiting time (a finite duration > 0): a request of
     * priority `p` ranks as if it had come `p × aging` earlier, so it waits at most the
     * difference of priorities × `aging` behind later arrivals. Default: strict priorities.
     */
    readonly aging?: Duration.Input | undefined
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
 * algorithm, a `burst` that the algorithm does not take, a `maxPending` that is not an integer
 * ≥ 0, an unknown `onFull`, or an `aging` that is not a finite duration > 0. With `maxPending`,
 * its effects may also fail with `PendingLimitExceeded`: the type follows the options' static
 * type, as `ConcurrencyLimiter.make`'s does (write `maxPending` in the options themselves).
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
 *   // at most 100 waiting: the 101st is refused with PendingLimitExceeded
 *   const bounded = yield* RateLimiter.make({ limit: 3, interval: "1 second", maxPending: 100 })
 *   yield* bounded(Console.log("GET /health")).pipe(
 *     Effect.catchTag("PendingLimitExceeded", () => Console.log("shed: too many waiting"))
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make(
  options: RateLimiter.Options & RateLimiter.SteeringOptions & { readonly maxPending: number }
): Effect.Effect<RateLimiter<PendingLimitExceeded>, InvalidOptions>
export function make(
  options: RateLimiter.Options & RateLimiter.SteeringOptions & { readonly maxPending?: undefined }
): Effect.Effect<RateLimiter, InvalidOptions>
export function make(
  options: RateLimiter.Options & RateLimiter.SteeringOptions
): Effect.Effect<RateLimiter<PendingLimitExceeded>, InvalidOptions>
export function make(
  options: RateLimiter.Options & RateLimiter.SteeringOptions
): Effect.Effect<RateLimiter<PendingLimitExceeded>, InvalidOptions> {
  // without `maxPending` the line has no bound, so `PendingLimitExceeded` never happens
  return internal.make(options)
}
