/**
 * Rate limits for Effect: strict sliding-window, token-bucket and GCRA rate limiters, keyed
 * limiters with idle eviction, concurrency limits, and an HttpClient that obeys them.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * ConcurrencyLimiter: at most n effects inside at once (the guide's semaphore).
 *
 * @since 0.1.0
 */
export * as ConcurrencyLimiter from "./ConcurrencyLimiter.js"

/**
 * The typed errors of the package.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * HttpLimiter: an HttpClient whose requests wait for a limiter.
 *
 * @since 0.1.0
 */
export * as HttpLimiter from "./HttpLimiter.js"

/**
 * KeyedConcurrencyLimiter: a concurrency limit per key, with an optional cap over all keys.
 *
 * @since 0.3.0
 */
export * as KeyedConcurrencyLimiter from "./KeyedConcurrencyLimiter.js"

/**
 * KeyedRateLimiter: one rate limiter per key, idle keys forgotten.
 *
 * @since 0.1.0
 */
export * as KeyedRateLimiter from "./KeyedRateLimiter.js"

/**
 * RateLimiter: sliding-window, token-bucket and GCRA rate limits.
 *
 * @since 0.1.0
 */
export * as RateLimiter from "./RateLimiter.js"

/**
 * RetryAfter: the wait a 429 or 503 response's `Retry-After` header asks for.
 *
 * @since 0.2.0
 */
export * as RetryAfter from "./RetryAfter.js"
