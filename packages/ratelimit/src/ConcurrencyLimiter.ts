/**
 * A concurrency limit: at most `concurrency` effects inside at once — the guide's `RateLimitedAPI`
 * semaphore. It bounds how many run, not how many start per second (for that, a
 * `RateLimiter`); API clients usually need both. Waiters enter first-come first-served, and a
 * permit is never lost to an interruption.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { InvalidOptions } from "./Errors.js"
import * as internal from "./internal/concurrencyLimiter.js"

/**
 * A limiter made by `make`: apply it to an effect to run that effect within the limit. It also
 * says how many effects are inside and how many wait.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limit: ConcurrencyLimiter.ConcurrencyLimiter = yield* ConcurrencyLimiter.make({ concurrency: 2 })
 *   yield* Effect.forkChild(Effect.forEach([1, 2, 3], () => limit(Effect.sleep("1 second")), { concurrency: 3 }))
 *   yield* Effect.sleep("10 millis")
 *   return { inside: yield* limit.inside, waiting: yield* limit.waiting } // { inside: 2, waiting: 1 }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface ConcurrencyLimiter {
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R>
  /** The most effects inside at once. */
  readonly concurrency: number
  /** Effects inside now. */
  readonly inside: Effect.Effect<number>
  /** Effects waiting to enter. */
  readonly waiting: Effect.Effect<number>
}

/**
 * @since 0.3.0
 */
export declare namespace ConcurrencyLimiter {
  /**
   * The options of {@link make}.
   *
   * **Example**
   *
   * ```ts
   * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
   *
   * const options: ConcurrencyLimiter.ConcurrencyLimiter.Options = { concurrency: 3, name: "db" }
   * const limiter = ConcurrencyLimiter.make(options)
   * ```
   *
   * @since 0.3.0
   * @category models
   */
  export interface Options {
    /** The most effects inside at once, an integer ≥ 1. */
    readonly concurrency: number
    /** The limiter's name in a Timeline (`@fiberkit/observe`). Default: its number, in order of creation. */
    readonly name?: string | undefined
  }
}

/**
 * Makes a limiter that lets `concurrency` effects in at once (an integer ≥ 1; otherwise
 * `InvalidOptions`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limit = yield* ConcurrencyLimiter.make({ concurrency: 3 })
 *   const request = (endpoint: string) => Effect.as(Effect.sleep("500 millis"), `Response from ${endpoint}`)
 *   // at most 3 requests in flight
 *   return yield* Effect.forEach(["/users", "/products", "/orders", "/reports"], (e) => limit(request(e)), {
 *     concurrency: "unbounded"
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (options: ConcurrencyLimiter.Options) => Effect.Effect<ConcurrencyLimiter, InvalidOptions> =
  internal.make
