/**
 * A line of plain items in arrival order (a growable ring: O(1) at both ends), for the jobs,
 * tickets and timestamps that pools, limiters and stores keep — written once instead of an
 * array with a `head` index compacted by hand in each of them. Waiting fibers stand in a
 * `WaitQueue` instead, which also removes from the middle.
 *
 * @since 0.2.0
 */
import * as internal from "./internal/fifo.js"

/**
 * A FIFO line: `push` at the back, `shift` and `peek` at the front, `at(i)` from the front,
 * `length`, `clear`, and iteration from the oldest item.
 *
 * **Example**
 *
 * ```ts
 * import { Fifo } from "@fiberkit/sync"
 *
 * const line = new Fifo.Fifo<string>()
 * line.push("a")
 * line.push("b")
 * console.log(line.shift(), line.length) // "a" 1
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export const Fifo = internal.Fifo

/**
 * @since 0.2.0
 * @category models
 */
export type Fifo<A> = internal.Fifo<A>
