import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { WaitQueue } from "../WaitQueue.js"
import { withDeadline } from "./deadline.js"
import { type Restore, Waiter } from "./handoff.js"

const TRUE = Effect.succeed(true)
const EXPIRED = Exit.succeed(false)

/**
 * Fibers waiting for one signal, all woken at once (an `Event` being set, a latch reaching
 * zero). Each waits on a `Waiter` whose outcome is `true` once woken, `false` if its time ran
 * out; an interrupted waiter simply leaves: nothing is handed to it, so nothing can be lost.
 *
 * @internal
 */
export class Signal {
  private readonly waiters = new WaitQueue<Waiter<boolean>>()

  get size(): number {
    return this.waiters.size
  }

  /**
   * Waits for the next `wakeAll`, unless `ready()` already holds. A ready signal returns at once,
   * without an uninterruptible region.
   */
  waitUnless(ready: () => boolean): Effect.Effect<void> {
    return Effect.suspend(() =>
      ready() ? Effect.void : Effect.asVoid(Effect.uninterruptibleMask((restore) => this.join(ready, restore)))
    )
  }

  /** {@link waitUnless} for at most `duration`: `true` if ready or woken, `false` if the time ran out. */
  waitUnlessWithin(ready: () => boolean, duration: Duration.Duration): Effect.Effect<boolean> {
    return Effect.suspend(() =>
      ready() ? TRUE : Effect.uninterruptibleMask((restore) => this.join(ready, restore, duration))
    )
  }

  /**
   * Checks `ready()` again and joins the line in that same step: checking in one step and joining
   * in a later one would leave a gap in which the fiber can yield, the signal fire, and the wait
   * then never end.
   */
  private join(ready: () => boolean, restore: Restore, duration?: Duration.Duration): Effect.Effect<boolean> {
    if (ready()) return TRUE
    const waiter = new Waiter<boolean>(this.waiters)
    this.waiters.push(waiter)
    const wait = waiter.wait(restore)
    return duration === undefined ? wait : withDeadline(duration, () => waiter.settle(EXPIRED), wait)
  }

  wakeAll(): void {
    for (let waiter = this.waiters.first; waiter !== undefined; waiter = this.waiters.first) waiter.grant(true)
  }
}
