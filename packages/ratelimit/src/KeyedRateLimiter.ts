/**
 * One rate limiter per key — per host, per user, per API token — made on first use with the
 * same options. A key idle for `idleTimeout` is forgotten once its limiter is back at rest (its
 * past starts no longer count), so memory stays bounded however many keys come and go, and
 * forgetting a key never lets a burst through. Keys are remembered and forgotten by uses (a
 * request, `pause`, `drain`, `resize`); a read (`stats`, `awaitIdle`, `awaitSizeBelow`) changes
 * nothing — on a clock ahead of the users' (another fiber's `Clock`), it forgets no key.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type { InvalidOptions, PendingLimitExceeded } from "./Errors.js"
import * as internal from "./internal/keyed.js"
import type * as RateLimiter from "./RateLimiter.js"

/**
 * `keyed(key)` is the rate limiter of `key`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { KeyedRateLimiter } from "@fiberkit/ratelimit"
 *
 * // each user's calls, 2 per second, whatever the other users do
 * const perUser = (limiter: KeyedRateLimiter.KeyedRateLimiter<string>) => (user: string, call: Effect.Effect<void>) =>
 *   limiter(user)(call)
 * const program = Effect.gen(function*() {
 *   const limiter = yield* KeyedRateLimiter.make<string>({ limit: 2, interval: "1 second" })
 *   yield* perUser(limiter)("ada", Effect.log("ada's call"))
 *   return yield* limiter.size // 1: the keys remembered now
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyedRateLimiter<in K, out X = never> {
  /** The rate limiter of `key`: made on first use, with its own line (and its own `maxPending`). */
  (key: K): RateLimiter.RateLimiter<X>
  /** Keys remembered now. */
  readonly size: Effect.Effect<number>
  /**
   * `keyed(key).pause(duration)`: no start for `key` for `duration`, the other keys unaffected
   * (see `RateLimiter.pause`: waiters keep their order, a pause only extends, an invalid
   * duration is a defect). The key is remembered (made if new) and not forgotten before its
   * pause has ended; `pause(key, 0)` changes nothing.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { KeyedRateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const perHost = yield* KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second" })
   *   yield* perHost.pause("api.example.com", "2 seconds") // it answered 429, Retry-After: 2
   *   yield* perHost("api.example.org")(Effect.log("another host: at once"))
   * })
   * ```
   */
  readonly pause: (key: K, duration: Duration.Input) => Effect.Effect<void>
  /**
   * `keyed(key).drain`: empties the capacity of `key` now (see `RateLimiter.drain` for each
   * algorithm), the other keys unaffected. The key is remembered (made if new).
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { KeyedRateLimiter } from "@fiberkit/ratelimit"
   *
   * const program = Effect.gen(function*() {
   *   const perUser = yield* KeyedRateLimiter.make<string>({ limit: 5, interval: "1 minute" })
   *   yield* perUser.drain("ada") // the API says ada's quota is spent
   *   return (yield* perUser("ada").stats).available // 0
   * })
   * ```
   */
  readonly drain: (key: K) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 */
export declare namespace KeyedRateLimiter {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options extends RateLimiter.RateLimiter.Options, RateLimiter.RateLimiter.SteeringOptions {
    /** How long a key may go unused before it is forgotten. Default: 1 minute. */
    readonly idleTimeout?: Duration.Input | undefined
  }
}

/**
 * Makes a keyed limiter. Fails `InvalidOptions` as `RateLimiter.make` does, or for an
 * `idleTimeout` below 1 ms. The steering options apply to each key on its own: `maxPending`
 * bounds each key's line (`keyed(key)(effect)` may then fail with `PendingLimitExceeded`, typed
 * as for `RateLimiter.make`), and `aging` ranks the priorities within each key's line.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { KeyedRateLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   // 10 requests per second to each host, at most 20 waiting per host
 *   const perHost = yield* KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second", maxPending: 20 })
 *   const fetchFrom = (url: URL) => perHost(url.host)(Effect.log(`GET ${url}`))
 *   yield* fetchFrom(new URL("https://example.com/a")).pipe(
 *     Effect.catchTag("PendingLimitExceeded", (e) => Effect.logWarning(e.message))
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export function make<K>(
  options: KeyedRateLimiter.Options & { readonly maxPending: number }
): Effect.Effect<KeyedRateLimiter<K, PendingLimitExceeded>, InvalidOptions>
export function make<K>(
  options: KeyedRateLimiter.Options & { readonly maxPending?: undefined }
): Effect.Effect<KeyedRateLimiter<K>, InvalidOptions>
export function make<K>(
  options: KeyedRateLimiter.Options
): Effect.Effect<KeyedRateLimiter<K, PendingLimitExceeded>, InvalidOptions>
export function make<K>(
  options: KeyedRateLimiter.Options
): Effect.Effect<KeyedRateLimiter<K, PendingLimitExceeded>, InvalidOptions> {
  // without `maxPending` no key's line has a bound, so `PendingLimitExceeded` never happens
  return internal.make<K>(options)
}
