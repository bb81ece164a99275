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
 * - **One script per decision.** Acquiring, waiting, renewing and releasing are each one Lua
 *   script (`EVALSHA`, then `EVAL` if Redis does not have it yet), atomic in Redis; expiry is
 *   judged on Redis's clock (`TIME`), not a process's.
 * - **A fair line, in Redis.** A request that cannot enter registers in a line kept in Redis,
 *   ranked by priority (`withPriority`; with `aging`, by arrival less priority × aging), equal
 *   ranks in their order of arrival in Redis — across every process. A permit freed (a release, a
 *   lease found expired, a grow) goes to the head of the line in the same script, and the
 *   members granted are published on the limiter's channel: a waiter in any process is woken at
 *   once, without polling. Newcomers never overtake the line.
 * - **Wake-ups, and the fallback poll.** Each limiter has a second connection, subscribed to its
 *   channel. Pub/sub may lose a message (the subscriber reconnecting): so each process with
 *   waiters also asks Redis every `pollInterval` (default a third of `leaseTime`), in one script
 *   for all its waiters, and at once when its subscriber is back. That poll renews the waiters'
 *   registrations, which are leased like permits: a waiter whose process dies leaves the line when
 *   its registration expires — within `leaseTime` — and a permit handed to it meanwhile comes back
 *   then too. Interrupting a waiter withdraws its registration (in the background, tried until
 *   Redis answers; the lease covers the rest).
 * - **Steering.** `resize(n)` stores the limit in Redis for every process (a grow lets waiters in
 *   at once; a shrink interrupts nobody). `maxPending` bounds this process's waiters: the bound is
 *   per process.
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
import type { InvalidOptions, PendingLimitExceeded, RedisLimiterUnavailable } from "./Errors.js"
import * as internal from "./internal/redis/concurrencyLimiter.js"
import type * as RedisRateLimiter from "./RedisRateLimiter.js"

/**
 * The options of `ConcurrencyLimiter.make`, a `name` (required), the connection, and the leases'
 * timing. Processes that make limiters of the same `name` and `prefix` share one limit; they should
 * give the same `concurrency` (the limit until a `resize` stores another) and the same `aging`.
 * `maxPending` and `onFull` bound this process's waiters only — those registered in the line: a
 * try on its way to Redis counts once its reply registers it (with `"dropOldest"` the oldest
 * waiter is dropped for it then). Two databases of one server hold two limits of one name.
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
  /** The shared limit's name, part of its Redis key (and its name in a Timeline and its metrics' `group`). */
  readonly name: string
  /**
   * How long a lease lasts without renewal: a whole number of milliseconds ≥ 30. Its holder
   * renews it every third of this. The trade-off: a killed holder's permit comes back after up
   * to this long; a holder whose process cannot renew for this long (its event loop blocked, or
   * Redis away) loses its lease and is interrupted. Default: 10 seconds.
   */
  readonly leaseTime?: Duration.Input | undefined
  /**
   * The longest this process goes without asking Redis while it has waiters: the fallback for a
   * wake-up lost with the subscriber connection, and the renewal of its waiters' registrations.
   * From 1 ms to a third of `leaseTime`. Default: a third of `leaseTime`.
   */
  readonly pollInterval?: Duration.Input | undefined
}

/**
 * A concurrency limiter whose decisions may fail: `ConcurrencyLimiter`'s members, with
 * `RedisLimiterUnavailable` in the error channels (and `X`, `PendingLimitExceeded` when made with
 * `maxPending`, in the limited effects'). `inside` counts the leases held in Redis, by every
 * process; `waiting`, `awaitIdle` and `awaitSizeBelow` are about this process's requests. A local
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
export interface DistributedConcurrencyLimiter<out X = never> {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | X | RedisLimiterUnavailable, R>
  /** The most effects inside at once, across processes, as this process last heard from Redis. */
  readonly concurrency: number
  /** Effects inside now, in every process: the leases held in Redis. */
  readonly inside: Effect.Effect<number, RedisLimiterUnavailable>
  /** Effects of this process waiting to enter. */
  readonly waiting: Effect.Effect<number, RedisLimiterUnavailable>
  /**
   * The limiter for an effect of priority `priority` (a finite number; higher enters first; the
   * plain limiter is priority 0; not finite: a defect). The rank holds across processes: the
   * line is in Redis.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import type * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
   *
   * declare const limit: RedisConcurrencyLimiter.DistributedConcurrencyLimiter
   * // ahead of every process's waiting exports (priority 0), behind none of them once inside
   * const checkout = limit.withPriority(10)(Effect.log("checkout"))
   * ```
   */
  readonly withPriority: (
    priority: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X | RedisLimiterUnavailable, R>
  /**
   * Changes the limit for every process (an integer ≥ 1, else `InvalidOptions`): stored in Redis,
   * so processes made later use it too. A grow lets the heads of the line in at once, wherever
   * they wait; a shrink never interrupts an effect inside — new ones wait until fewer than the new
   * limit are inside. A resize is kept until the next one, or until the limiter has not been used
   * for a day (then `make`'s `concurrency` applies again).
   *
   * **Example**
   *
   * ```ts
   * import type * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
   *
   * declare const limit: RedisConcurrencyLimiter.DistributedConcurrencyLimiter
   * // the database was scaled up: 20 connections for the fleet, waiters let in now
   * const grow = limit.resize(20)
   * ```
   */
  readonly resize: (concurrency: number) => Effect.Effect<void, InvalidOptions | RedisLimiterUnavailable>
  /** Waits until no effect of this process is inside or waiting. */
  readonly awaitIdle: Effect.Effect<void, RedisLimiterUnavailable>
  /** Waits until fewer than `size` effects of this process are waiting (`size` an integer ≥ 1, else a defect). */
  readonly awaitSizeBelow: (size: number) => Effect.Effect<void, RedisLimiterUnavailable>
}

/**
 * Makes a concurrency limiter on Redis for the life of the scope. Fails `InvalidOptions` for a
 * `concurrency` that is not an integer ≥ 1, a `leaseTime` below 30 ms, a `pollInterval` outside 1 ms
 * to a third of `leaseTime`, a bad `aging`, `maxPending` or `onFull` (as `ConcurrencyLimiter.make`),
 * or bad connection options (see `RedisRateLimiter.make`); fails `RedisLimiterUnavailable` when it
 * cannot connect to `url`. Besides the connection it runs its scripts on, it opens a second one,
 * subscribed to the limiter's wake-ups.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   // at most 3 exports at once, whichever processes run them, served in order of arrival
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
export function make(
  options: Options & { readonly maxPending: number }
): Effect.Effect<
  DistributedConcurrencyLimiter<PendingLimitExceeded>,
  InvalidOptions | RedisLimiterUnavailable,
  Scope.Scope
>
export function make(
  options: Options & { readonly maxPending?: undefined }
): Effect.Effect<DistributedConcurrencyLimiter, InvalidOptions | RedisLimiterUnavailable, Scope.Scope>
export function make(
  options: Options
): Effect.Effect<
  DistributedConcurrencyLimiter<PendingLimitExceeded>,
  InvalidOptions | RedisLimiterUnavailable,
  Scope.Scope
>
export function make(
  options: Options
): Effect.Effect<
  DistributedConcurrencyLimiter<PendingLimitExceeded>,
  InvalidOptions | RedisLimiterUnavailable,
  Scope.Scope
> {
  // without `maxPending` the line has no bound, so `PendingLimitExceeded` never happens
  return internal.make(options)
}
