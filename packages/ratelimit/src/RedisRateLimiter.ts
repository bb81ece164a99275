/**
 * Rate limits shared by many processes, on Redis: the sliding-window, token-bucket and GCRA
 * limiters of `RateLimiter`, with their state in Redis, so every process that makes a limiter of
 * the same `name` (and `prefix`) draws on one limit — 50 requests per second to an API for the
 * whole fleet, not per process.
 *
 * - **One script per decision.** Each try to start is one Lua script (`EVALSHA`, then `EVAL` if
 *   Redis does not have it yet), which Redis runs atomically: it reads the limiter's state,
 *   decides, and records the start, with no other client's command in between.
 * - **Redis's clock.** Times come from Redis (`TIME`, microseconds), never from a process's
 *   clock, so processes whose clocks disagree still share one exact limit. The sliding window is
 *   strict on that clock: no window of length `interval` holds more than `limit` starts, across
 *   all processes (a log of starts, a sorted set). Each effect begins once the reply reaches its
 *   process, so in real time the windows are off by at most the variation of that delay.
 * - **Waiting, in line.** When the limit is reached, the script answers how long until a start
 *   may be allowed. A request that must wait joins this process's line — ranked by priority
 *   (`withPriority`), then arrival — and one fiber serves the line: it asks Redis to start the
 *   requests at its head (several in one script when the capacity allows), and sleeps as long as
 *   Redis said. So within a process, requests start in order of priority, then arrival; across
 *   processes there is no common line: each process's head asks, and the first script to run once
 *   there is room wins. A request interrupted while it waits has taken nothing.
 * - **Steering, shared.** `pause`, `drain` and `resize` act on the state in Redis: every process
 *   of the limit is paused, drained or resized (a resize is published, so waiters everywhere
 *   compute their start again at once). `maxPending` bounds the requests waiting in this process.
 * - **Errors.** When Redis is unreachable, a command fails, or no reply comes within
 *   `commandTimeout`, the limited effect does not run and fails with `RedisLimiterUnavailable`.
 *   There is no silent local fallback. A try whose reply is lost may have counted a start that
 *   then did not happen: the limit is then kept with room to spare, never exceeded.
 *
 * The limiter's type is `DistributedRateLimiter`: `RateLimiter`'s, with `RedisLimiterUnavailable`
 * in the error channel of what talks to Redis. A local `RateLimiter` is assignable to it, so code
 * written against `DistributedRateLimiter` takes either.
 *
 * This module is not re-exported by the package index: import `@fiberkit/ratelimit/RedisRateLimiter`,
 * with `ioredis` installed (an optional peer dependency).
 *
 * @module RedisRateLimiter
 * @since 0.4.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import type { InvalidOptions, PendingLimitExceeded, RedisLimiterUnavailable } from "./Errors.js"
import * as internal from "./internal/redis/rateLimiter.js"
import type * as RateLimiter from "./RateLimiter.js"

/**
 * How a limiter on Redis reaches it: the caller's connection (`redis`), used and never closed by
 * the limiter, or a `url`, opened when the limiter is made and closed with its scope.
 *
 * **Example**
 *
 * ```ts
 * import { Redacted } from "effect"
 * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
 *
 * declare const redisUrl: string // with its password: kept out of logs as Redacted
 * const connection: RedisRateLimiter.ConnectionOptions = {
 *   url: Redacted.make(redisUrl),
 *   prefix: "billing:limits",
 *   commandTimeout: "500 millis"
 * }
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface ConnectionOptions {
  /**
   * An ioredis connection of the caller's. The limiter runs its scripts on it and never closes
   * it. Its own settings apply: with ioredis's defaults, commands wait while it reconnects, so
   * `commandTimeout` is what bounds a call.
   */
  readonly redis?: Redis | undefined
  /**
   * A Redis URL (`redis://` or `rediss://`) to connect to when `redis` is not given: connected
   * when the limiter is made (`RedisLimiterUnavailable` if that fails), closed when its scope
   * closes. It fails commands at once while it is disconnected, and reconnects by itself.
   * Default: `FIBERKIT_REDIS_URL`, read as `Config.Redacted`.
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** The prefix of the limiter's Redis key, `<prefix>:<name>:<kind>`. Default: `"fiberkit:ratelimit"`. */
  readonly prefix?: string | undefined
  /** How long a script may go without a reply before the call fails `RedisLimiterUnavailable`. Default: 2 seconds. */
  readonly commandTimeout?: Duration.Input | undefined
}

/**
 * The options of `RateLimiter.make`, a `name` (required) and the connection. Processes that
 * make limiters of the same `name`, `prefix` and `algorithm` share one limit; they must give
 * the same `limit`, `interval` and `burst`. Once a `resize` has stored numbers in Redis, those
 * win over these, in every process (a cost above them is refused: a defect). `interval` is at most
 * 100 years (of 365.25 days), in `make` and `resize`: it travels in µs (a longer one is `InvalidOptions`).
 *
 * **Example**
 *
 * ```ts
 * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
 *
 * // the whole fleet: 50 calls per second to the payments API, never more in any second
 * const options: RedisRateLimiter.Options = {
 *   name: "payments-api",
 *   limit: 50,
 *   interval: "1 second",
 *   url: "redis://127.0.0.1:6379"
 * }
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface Options extends RateLimiter.RateLimiter.Options, ConnectionOptions {
  /** The shared limit's name, part of its Redis key (and its name in a Timeline and its metrics' `group`). */
  readonly name: string
  /**
   * The most requests of this process waiting for their start, an integer ≥ 0 (0: never wait).
   * Default: no bound. The bound is per process: each process has its own line. With a bound, the
   * limiter's effects can fail with `PendingLimitExceeded`.
   */
  readonly maxPending?: number | undefined
  /** With `maxPending`: refuse the newcomer (`"fail"`, the default) or drop this process's longest waiter (`"dropOldest"`). */
  readonly onFull?: "fail" | "dropOldest" | undefined
}

/**
 * A rate limiter whose decisions may fail: `RateLimiter`'s members, with `RedisLimiterUnavailable`
 * in the error channel of each that asks Redis (and `X`, `PendingLimitExceeded` when made with
 * `maxPending`, in the limited effects'). A local `RateLimiter.RateLimiter` is assignable to it.
 * `stats` counts `granted` and `waiting` in this process, and reads `available` (and so `usage`)
 * and `pausedFor` from Redis: the whole limit's. `options` are the numbers in force as this
 * process last heard from Redis: `make`'s, or the last `resize`'s, in whichever process.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimiter } from "@fiberkit/ratelimit"
 * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
 *
 * // written once, run with a local limiter in tests and a Redis one in production
 * const fetchAll = (limiter: RedisRateLimiter.DistributedRateLimiter, ids: ReadonlyArray<number>) =>
 *   Effect.forEach(ids, (id) => limiter(Effect.succeed(`item ${id}`)), { concurrency: "unbounded" })
 *
 * const local = Effect.flatMap(RateLimiter.make({ limit: 5, interval: "1 second" }), (limiter) => fetchAll(limiter, [1, 2, 3]))
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface DistributedRateLimiter<out X = never> {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | X | RedisLimiterUnavailable, R>
  /** The numbers in force, with defaults filled in, as this process last heard from Redis. */
  readonly options: RateLimiter.RateLimiter.Resolved
  /** The limiter for a start that counts `cost`: as `RateLimiter`'s `withCost` (a cost out of range is a defect). */
  readonly withCost: (
    cost: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X | RedisLimiterUnavailable, R>
  /** Waits for a start of `cost` (default 1), for code that does not wrap an effect. */
  readonly take: (cost?: number) => Effect.Effect<void, X | RedisLimiterUnavailable>
  readonly stats: Effect.Effect<RateLimiter.RateLimiter.Stats, RedisLimiterUnavailable>
  /**
   * No start is granted, in any process, for `duration` from now (on Redis's clock, rounded up to
   * whole milliseconds): as `RateLimiter`'s `pause` — a pause only extends, and consumes no
   * capacity; a duration that is not finite and ≥ 0 is a defect. A pause longer than 100 years
   * (of 365.25 days) lasts 100 years: its end, in µs on Redis's clock, must stay an exact integer.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
   *
   * declare const limiter: RedisRateLimiter.DistributedRateLimiter
   * // the API answered 429 with Retry-After: 30 — the whole fleet waits, not only this process
   * const backOff = limiter.pause("30 seconds")
   * ```
   */
  readonly pause: (duration: Duration.Input) => Effect.Effect<void, RedisLimiterUnavailable>
  /**
   * Empties the capacity available now, for every process: as `RateLimiter`'s `drain`, per
   * algorithm, on Redis's clock. On the sliding window it writes one log entry per unit left
   * (`limit − used`): with a limit of millions, it holds Redis for seconds.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
   *
   * declare const limiter: RedisRateLimiter.DistributedRateLimiter
   * // the server says the quota is spent: no process starts before the algorithm refills
   * const spent = Effect.andThen(limiter.drain, limiter.stats) // available: 0
   * ```
   */
  readonly drain: Effect.Effect<void, RedisLimiterUnavailable>
  /**
   * Changes the numbers for every process — `limit`, `interval`, `burst`, each optional, checked
   * as `make` checks them (`InvalidOptions`) — keeping what past starts owe, as `RateLimiter`'s
   * `resize` does. They are stored in Redis and published: each process's waiters compute their
   * start again at once (a grow lets them in now), and processes made later use them too. A
   * resize is kept until the next one, or until the limiter has not been used for a day (then
   * `make`'s numbers apply again).
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
   *
   * declare const limiter: RedisRateLimiter.DistributedRateLimiter
   * // the API's plan was upgraded: 100 per second, for the whole fleet, from now on
   * const upgrade = limiter.resize({ limit: 100 })
   * ```
   */
  readonly resize: (
    sizes: RateLimiter.RateLimiter.Sizes
  ) => Effect.Effect<void, InvalidOptions | RedisLimiterUnavailable>
  /**
   * The limiter for a start of priority `priority` (a finite number; higher first; the plain
   * limiter is priority 0; not finite: a defect). It ranks the request in this process's line:
   * ahead of lower priorities of this process that wait, equal priorities in order of arrival. It
   * does not rank it against other processes' requests.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
   *
   * declare const limiter: RedisRateLimiter.DistributedRateLimiter
   * // a user's click goes before this process's batch exports waiting for the same API
   * const click = limiter.withPriority(10)(Effect.log("user click"))
   * ```
   */
  readonly withPriority: (
    priority: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X | RedisLimiterUnavailable, R>
}

/**
 * Makes a rate limiter on Redis for the life of the scope. Fails `InvalidOptions` as
 * `RateLimiter.make` does, or for an empty `name` or `prefix`, a `commandTimeout` below 1 ms,
 * both `redis` and `url`, no URL at all, a `maxPending` that is not an integer ≥ 0 or an unknown
 * `onFull`; fails `RedisLimiterUnavailable` when it cannot connect to `url`. Besides the
 * connection it runs its scripts on, it opens a second one, subscribed to the limiter's resizes.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Effect } from "effect"
 * import * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   // every process running this shares 3 starts per second
 *   const limit = yield* RedisRateLimiter.make({ name: "reports", limit: 3, interval: "1 second", url: "redis://127.0.0.1:6379" })
 *   yield* Effect.forEach(
 *     ["/users", "/products", "/orders", "/reports"],
 *     (endpoint) => limit(Console.log(`GET ${endpoint}`)),
 *     { concurrency: "unbounded" }
 *   )
 * }))
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export function make(
  options: Options & { readonly maxPending: number }
): Effect.Effect<DistributedRateLimiter<PendingLimitExceeded>, InvalidOptions | RedisLimiterUnavailable, Scope.Scope>
export function make(
  options: Options & { readonly maxPending?: undefined }
): Effect.Effect<DistributedRateLimiter, InvalidOptions | RedisLimiterUnavailable, Scope.Scope>
export function make(
  options: Options
): Effect.Effect<DistributedRateLimiter<PendingLimitExceeded>, InvalidOptions | RedisLimiterUnavailable, Scope.Scope>
export function make(
  options: Options
): Effect.Effect<DistributedRateLimiter<PendingLimitExceeded>, InvalidOptions | RedisLimiterUnavailable, Scope.Scope> {
  // without `maxPending` the line has no bound, so `PendingLimitExceeded` never happens
  return internal.make(options)
}
