/**
 * A bounded semaphore: Python's `threading.BoundedSemaphore`. Like `Semaphore`, but a release
 * that would take the free permits above the initial count fails with `SemaphoreOverRelease`
 * (changing nothing): releasing more than was acquired is a bug, and this catches it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type { InvalidOptions } from "./Errors.js"
import * as internal from "./internal/semaphore.js"
import type * as Semaphore from "./Semaphore.js"

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { BoundedSemaphore } from "@fiberkit/sync"
 *
 * // a release above the initial count is refused (a bug to report), and changes nothing
 * const giveBack = (slots: BoundedSemaphore.BoundedSemaphore) =>
 *   slots.release().pipe(Effect.catchTag("SemaphoreOverRelease", (e) => Effect.logWarning(e.message)))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface BoundedSemaphore extends Semaphore.Semaphore {}

/**
 * Creates a bounded semaphore with `permits` free permits (an integer ≥ 0, else
 * `InvalidOptions`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { BoundedSemaphore } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const pool = yield* BoundedSemaphore.make(2)
 *   yield* pool.acquire()
 *   yield* pool.release()
 *   yield* pool.release() // fails: SemaphoreOverRelease
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (permits: number): Effect.Effect<BoundedSemaphore, InvalidOptions> => internal.make(permits, true)

/**
 * Whether `u` is a `BoundedSemaphore` (a plain `Semaphore` is not). It recognises the semaphores
 * of this copy of `@fiberkit/sync`: a `BoundedSemaphore` shares the `Semaphore` type id and has
 * no marker of its own, so the check is on the implementation.
 *
 * **Example**
 *
 * ```ts
 * import { BoundedSemaphore } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const permits = BoundedSemaphore.isBoundedSemaphore(u) ? u.permits : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isBoundedSemaphore = (u: unknown): u is BoundedSemaphore =>
  u instanceof internal.SemaphoreImpl && u.bounded
