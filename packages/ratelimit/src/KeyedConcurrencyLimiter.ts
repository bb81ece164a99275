/**
 * A concurrency limit per key — per host, per user, per tenant — with an optional cap over all
 * keys: at most `perKey` effects inside at once for each key and, with `global`, at most `global`
 * in all. BullMQ Pro's group concurrency and pg-boss's `groupConcurrency`, for effects. Each key's
 * limit is made when first used and forgotten as soon as no effect of that key is inside or
 * waiting, so keys can be as many as the values a program meets (no timer, no sweep: unlike a
 * rate limit, an unused concurrency limit has no history to keep). Keys compare as a `Map`'s do:
 * strings and numbers by value (`0` and `-0` are one key), objects by reference.
 *
 * Waiting effects of every key stand in one line, first come, first served — or by priority with
 * `withPriority(key, p)` (strict, or with `aging` so that nobody starves). An effect enters when
 * it is the first in that line whose key has room and a global permit is free: an effect of a
 * full key is passed over, so it never holds back the other keys, and a hot key still takes at
 * most `perKey` of the global permits. `maxPending` bounds the line over all keys (`onFull`:
 * refuse the newcomer or drop the longest waiter, with `PendingLimitExceeded`). `resize` changes
 * either limit at runtime, preempting no one. `Fetch` in `@fiberkit/pipelines` limits its requests
 * per host with it.
 *
 * @since 0.3.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { InvalidOptions, PendingLimitExceeded } from "./Errors.js"
import * as internal from "./internal/keyedConcurrencyLimiter.js"

/**
 * A limiter made by `make`: `limiter(key)(effect)` runs `effect` within `key`'s limit (and the
 * global one). `X` is `PendingLimitExceeded` when the limiter was made with `maxPending`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { KeyedConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const fetchFor = (limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string>, tenant: string) =>
 *   limit(tenant)(Effect.log(`a request for ${tenant}`))
 * const load = (limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string>) =>
 *   Effect.all({ acme: limit.inside("acme"), waiting: limit.waiting("acme"), all: limit.insideAll, keys: limit.keys })
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface KeyedConcurrencyLimiter<in out K, out X = never> {
  (key: K): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X, R>
  /**
   * The limiter of `key` for an effect of priority `priority` (a finite number; higher enters
   * first; the plain `limiter(key)` is priority 0; not finite: a defect). The effect is placed in
   * the one line of all keys by the rank it had at arrival, and enters when it is the first there
   * whose key has room and a global permit is free. Equal priorities first come, first served;
   * with `aging`, an effect is overtaken only by later arrivals within `(their priority − its
   * priority) × aging` — or by effects of other keys while its own key is full.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { KeyedConcurrencyLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const perTenant = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 8, aging: "1 second" })
   *   const report = perTenant("acme")(Effect.log("monthly report")) // priority 0
   *   const checkout = perTenant.withPriority("acme", 5)(Effect.log("checkout")) // ahead of acme's waiting reports
   *   yield* Effect.all([report, checkout], { concurrency: "unbounded" })
   * })
   * ```
   */
  readonly withPriority: (
    key: K,
    priority: number
  ) => <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | X, R>
  /** The most effects inside at once per key: as made, or as last resized. */
  readonly perKey: number
  /** The most effects inside at once over all keys, if there is such a cap. */
  readonly global: number | undefined
  /** Effects of `key` inside now (or let in, about to resume). */
  readonly inside: (key: K) => Effect.Effect<number>
  /** Effects of `key` waiting to enter now. */
  readonly waiting: (key: K) => Effect.Effect<number>
  /** Effects waiting to enter now, over all keys: what `maxPending` bounds. */
  readonly waitingAll: Effect.Effect<number>
  /** Keys in use now: with an effect inside or waiting. */
  readonly keys: Effect.Effect<number>
  /** Effects inside now, over all keys. */
  readonly insideAll: Effect.Effect<number>
  /**
   * Changes the limits while in use (each an integer ≥ 1, else `InvalidOptions`; `global` only
   * if the limiter has a global cap). A grow lets waiters in at once; a shrink interrupts no one.
   */
  readonly resize: (sizes: KeyedConcurrencyLimiter.Sizes) => Effect.Effect<void, InvalidOptions>
}

/**
 * @since 0.3.0
 */
export declare namespace KeyedConcurrencyLimiter {
  /**
   * The options of {@link make}.
   *
   * **Example**
   *
   * ```ts
   * import { KeyedConcurrencyLimiter } from "@fiberkit/ratelimit"
   *
   * // 2 requests at once per host, 16 in all
   * const options: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter.Options = { perKey: 2, global: 16, name: "hosts" }
   * const limiter = KeyedConcurrencyLimiter.make<string>(options)
   * ```
   *
   * @since 0.3.0
   * @category models
   */
  export interface Options {
    /** The most effects inside at once per key, an integer ≥ 1. */
    readonly perKey: number
    /** The most effects inside at once over all keys, an integer ≥ 1. Default: no cap. */
    readonly global?: number | undefined
    /** The limiter's name in a Timeline (`@fiberkit/observe`) and its metrics' `group`. Default: its number, in order of creation. */
    readonly name?: string | undefined
    /**
     * What one step of priority is worth in waiting time (a finite duration > 0): an effect of
     * priority `p` ranks as if it had come `p × aging` earlier, so a low priority waits at most the
     * difference of priorities × `aging` behind later arrivals (of keys with room). Default:
     * strict priorities.
     */
    readonly aging?: Duration.Input | undefined
    /**
     * The most effects waiting to enter, over all keys, an integer ≥ 0 (0: never wait). Default:
     * no bound. With a bound, the limiter's effects can fail with `PendingLimitExceeded`; a shed
     * effect never runs.
     *
     * **Example**
     *
     * ```ts
     * import { Effect } from "effect"
     * import { KeyedConcurrencyLimiter } from "@fiberkit/ratelimit"
     *
     * const program = Effect.gen(function*() {
     *   // 2 at once per tenant, 8 in all, at most 100 waiting over all tenants: then the oldest goes
     *   const perTenant = yield* KeyedConcurrencyLimiter.make<string>({
     *     perKey: 2,
     *     global: 8,
     *     maxPending: 100,
     *     onFull: "dropOldest"
     *   })
     *   return yield* perTenant("acme")(Effect.succeed("report")).pipe(
     *     Effect.catchTag("PendingLimitExceeded", (error) => Effect.succeed(`shed: ${error.pending} waiting`))
     *   )
     * })
     * ```
     */
    readonly maxPending?: number | undefined
    /** With `maxPending`: refuse the newcomer (`"fail"`, the default) or drop the longest waiter of any key (`"dropOldest"`). */
    readonly onFull?: "fail" | "dropOldest" | undefined
  }

  /**
   * The new limits of `resize`: either or both.
   *
   * **Example**
   *
   * ```ts
   * import type { KeyedConcurrencyLimiter } from "@fiberkit/ratelimit"
   *
   * const quieter: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter.Sizes = { perKey: 1, global: 4 }
   * ```
   *
   * @since 0.3.0
   * @category models
   */
  export interface Sizes {
    readonly perKey?: number | undefined
    readonly global?: number | undefined
  }
}

/**
 * Makes a limiter of `perKey` effects at once per key (an integer ≥ 1) and, with `global`, at
 * most `global` over all keys; otherwise, or for a `maxPending` that is not an integer ≥ 0, an
 * unknown `onFull` or an `aging` that is not a finite duration > 0, `InvalidOptions`. With
 * `maxPending` (written in the options themselves, as for `ConcurrencyLimiter.make`), its effects
 * may also fail with `PendingLimitExceeded`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { KeyedConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const perHost = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 3 })
 *   const get = (url: string) => perHost(new URL(url).host)(Effect.as(Effect.sleep("100 millis"), url))
 *   // at most 2 at once for a.example, 3 in all
 *   yield* Effect.forEach(["https://a.example/1", "https://a.example/2", "https://a.example/3", "https://b.example/1"], get, {
 *     concurrency: "unbounded"
 *   })
 *   yield* perHost.resize({ perKey: 4 }) // busier hosts allowed from now on
 *   return yield* perHost.keys // 0: idle hosts are forgotten
 * })
 * ```
 *
 * @since 0.3.0
 * @category constructors
 */
export function make<K>(
  options: KeyedConcurrencyLimiter.Options & { readonly maxPending: number }
): Effect.Effect<KeyedConcurrencyLimiter<K, PendingLimitExceeded>, InvalidOptions>
export function make<K>(
  options: KeyedConcurrencyLimiter.Options & { readonly maxPending?: undefined }
): Effect.Effect<KeyedConcurrencyLimiter<K>, InvalidOptions>
export function make<K>(
  options: KeyedConcurrencyLimiter.Options
): Effect.Effect<KeyedConcurrencyLimiter<K, PendingLimitExceeded>, InvalidOptions>
export function make<K>(
  options: KeyedConcurrencyLimiter.Options
): Effect.Effect<KeyedConcurrencyLimiter<K, PendingLimitExceeded>, InvalidOptions> {
  // without `maxPending` the line has no bound, so `PendingLimitExceeded` never happens
  return internal.make<K>(options)
}
