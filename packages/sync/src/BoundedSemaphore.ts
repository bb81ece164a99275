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
