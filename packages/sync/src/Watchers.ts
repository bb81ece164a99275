/**
 * Waits for a condition on plain state that its owner changes: `until(holds)` returns at once if
 * `holds()` is true, else waits until a `check()` — which the owner calls after each change —
 * finds it true. What `awaitIdle` and `awaitSizeBelow` of fiberkit's limiters and pools are
 * made of. A low-level building block next to `Handoff` and `WaitQueue`: the waits go through
 * the one hand-off mechanism, so an interrupted wait leaves nothing behind, and `check()` costs
 * one comparison when nobody waits.
 *
 * @since 0.3.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { Waiter } from "./Handoff.js"
import { WaitQueue } from "./WaitQueue.js"

interface Watcher extends Waiter<void> {
  holds: () => boolean
}

/**
 * The waits for conditions on one piece of state.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Watchers } from "@fiberkit/sync"
 *
 * let pending = 3
 * const watchers = new Watchers.Watchers()
 * const done = Effect.sync(() => {
 *   pending--
 *   watchers.check() // after every change of the state watched
 * })
 * const awaitIdle = watchers.until(() => pending === 0)
 * const program = Effect.all([awaitIdle, done, done, done], { concurrency: "unbounded" })
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export class Watchers {
  private readonly line = new WaitQueue<Watcher>()

  /** Waits (interruptibly) until `holds()` is true: checked now, then at every `check()`. */
  until(holds: () => boolean): Effect.Effect<void> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        if (holds()) return Effect.void
        const watcher = new Waiter<void>(this.line) as Watcher
        watcher.holds = holds
        this.line.push(watcher)
        return watcher.wait(restore)
      })
    )
  }

  /**
   * `awaitSizeBelow(size)` of a pool or limiter named by `operation`: waits until `count()` is
   * below `size`, any integer ≥ 1 (one past 2^53, a natural "no bound", returns at once); anything
   * else is a defect (`IllegalArgumentError`), as a programming mistake.
   */
  untilBelow(operation: string, size: number, count: () => number): Effect.Effect<void> {
    return Number.isInteger(size) && size >= 1
      ? this.until(() => count() < size)
      : Effect.die(new Cause.IllegalArgumentError(`${operation}: size must be an integer ≥ 1, got ${size}`))
  }

  /** Ends every wait whose condition holds now. Call it after each change of the state. */
  check(): void {
    if (this.line.size === 0) return
    for (let node = this.line.first; node !== undefined;) {
      const next = node.next as Watcher | undefined
      if (node.holds()) node.grant(undefined)
      node = next
    }
  }

  /** How many waits are open. */
  get size(): number {
    return this.line.size
  }
}
