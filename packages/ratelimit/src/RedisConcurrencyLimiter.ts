/**
 * A concurrency limit shared by many processes, on Redis: a counting semaphore with leases. At
 * most `concurrency` effects run at once across every process that makes a limiter of the same
 * `name` (and `prefix`) — 10 connections to a database for the whole fleet.
 *
 * - **Leases.** Each holder gets a lease: an id with an expiry, in a sorted set. While its effect
 *   runs, a fiber beside it renews the lease every third of `leaseTime`; when the effect ends —
 *   success, failure or interruption — the lease is released. A process killed while it holds
 *   one (SIGKILL, a crash, a lost machine) stops renewing it, and its permit comes back when the
 *   lease expires: within `leaseTime` of its last renewal, not before.
 * - **One script per decision.** Acquiring, renewing and releasing are each one Lua script
 *   (`EVALSHA`, then `EVAL` if Redis does not have it yet), atomic in Redis; expiry is judged on
 *   Redis's clock (`TIME`), not a process's.
 * - **Waiting.** A waiter polls: it tries again after 5 ms, then after twice as long each time, up
 *   to `pollInterval` (default 100 ms), with jitter so that processes do not poll in step, and
 *   never later than the moment the first lease expires. A released permit is therefore taken
 *   within `pollInterval` (one round trip more). Waiters are not served in order. Interrupting a
 *   waiter leaves nothing behind: only its sleeps are interruptible, a try is always read to the
 *   end, and a try left without a reply (`commandTimeout`) has its lease given back.
 * - **Errors.** When Redis is unreachable or a command fails, the effect does not run and fails
 *   with `RedisLimiterUnavailable` — no local fallback. If a running holder's lease cannot be
 *   renewed before it expires (Redis away for longer than `leaseTime`, or the process stalled
 *   past it), its permit may already be another's: the effect is interrupted and fails with
 *   `RedisLimiterUnavailable` (operation `"renew"`).
 *
 * The limiter's type is `DistributedConcurrencyLimiter`: `ConcurrencyLimiter`'s, with
 * `RedisLimiterUnavailable` in the error channels. A local `ConcurrencyLimiter` is assignable to it.
 *
 * This module is not re-exported by the package index: import
 * `@fiberkit/ratelimit/RedisConcurrencyLimiter`, with `ioredis` installed (an optional peer dependency).
 *
 * @module RedisConcurrencyLimiter
 * @since 0.4.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as ConcurrencyLimiter from "./ConcurrencyLimiter.js"
import type { InvalidOptions, RedisLimiterUnavailable } from "./Errors.js"
import * as internal from "./internal/redis/concurrencyLimiter.js"
import type * as RedisRateLimiter from "./RedisRateLimiter.js"

/**
 * The options of `ConcurrencyLimiter.make`, a `name` (required), the connection, and the leases'
 * timing. Processes that make limiters of the same `name` and `prefix` share one limit; they must
 * give the same `concurrency`.
 *
 * **Example**
 *
 * ```ts
 * import type * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
 *
 * // 10 database connections for the whole fleet; a dead process's permit back within 5 s
 * const options: RedisConcurrencyLimiter.Options = {
 *   name: "reporting-db",
 *   concurrency: 10,
 *   leaseTime: "5 seconds",
 *   url: "redis://127.0.0.1:6379"
 * }
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface Options extends ConcurrencyLimiter.ConcurrencyLimiter.Options, RedisRateLimiter.ConnectionOptions {
  /** The shared limit's name, part of its Redis key (and its name in a Timeline). */
  readonly name: string
  /**
   * How long a lease lasts without renewal: a whole number of milliseconds ≥ 30. Its holder
   * renews it every third of this. The trade-off: a killed holder's permit comes back after up
   * to this long; a holder whose process cannot renew for this long (its event loop blocked, or
   * Redis away) loses its lease and is interrupted. Default: 10 seconds.
   */
  readonly leaseTime?: Duration.Input | undefined
  /** The longest a waiter sleeps between tries (it starts at 5 ms and doubles). Default: 100 millis. */
  readonly pollInterval?: Duration.Input | undefined
}

/**
 * A concurrency limiter whose decisions may fail: `ConcurrencyLimiter`'s members, with
 * `RedisLimiterUnavailable` in the error channels. `inside` counts the leases held in Redis, by
 * every process; `waiting` counts this process's waiters. A local
 * `ConcurrencyLimiter.ConcurrencyLimiter` is assignable to it.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
 * import type * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
 *
 * // written once, run with a local limiter in tests and a Redis one in production
 * const exportAll = (limit: RedisConcurrencyLimiter.DistributedConcurrencyLimiter, days: ReadonlyArray<string>) =>
 *   Effect.forEach(days, (day) => limit(Effect.log(`export ${day}`)), { concurrency: "unbounded" })
 *
 * const local = Effect.flatMap(ConcurrencyLimiter.make({ concurrency: 2 }), (limit) => exportAll(limit, ["mon", "tue"]))
 * ```
 *
 * @since 0.4.0
 * @category models
 */
export interface DistributedConcurrencyLimiter {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | RedisLimiterUnavailable, R>
  /** The most effects inside at once, across processes. */
  readonly concurrency: number
  /** Effects inside now, in every process: the leases held in Redis. */
  readonly inside: Effect.Effect<number, RedisLimiterUnavailable>
  /** Effects of this process waiting to enter. */
  readonly waiting: Effect.Effect<number, RedisLimiterUnavailable>
}

/**
 * Makes a concurrency limiter on Redis for the life of the scope. Fails `InvalidOptions` for a
 * `concurrency` that is not an integer ≥ 1, a `leaseTime` below 30 ms, a `pollInterval` below
 * 1 ms, or bad connection options (see `RedisRateLimiter.make`); fails `RedisLimiterUnavailable`
 * when it cannot connect to `url`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   // at most 3 exports at once, whichever processes run them
 *   const limit = yield* RedisConcurrencyLimiter.make({ name: "exports", concurrency: 3, url: "redis://127.0.0.1:6379" })
 *   yield* Effect.forEach(["a", "b", "c", "d"], (file) => limit(Effect.log(`exporting ${file}`)), {
 *     concurrency: "unbounded"
 *   })
 * }))
 * ```
 *
 * @since 0.4.0
 * @category constructors
 */
export const make: (
  options: Options
) => Effect.Effect<DistributedConcurrencyLimiter, InvalidOptions | RedisLimiterUnavailable, Scope.Scope> = internal.make
