import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { WaitQueue } from "../WaitQueue.js"
import { withDeadline } from "./deadline.js"
import { Waiter } from "./handoff.js"

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
   * Waits for the next `wakeAll` (at most `duration` when given), unless `ready()` already holds:
   * `true` if ready or woken, `false` if the time ran out. The check and joining the line are one
   * step: checking first and joining in a later step would leave a gap in which the fiber can
   * yield, the signal fire, and the wait then never end.
   */
  waitUnless(ready: () => boolean, duration?: Duration.Duration): Effect.Effect<boolean> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        if (ready()) return TRUE
        const waiter = new Waiter<boolean>(this.waiters)
        this.waiters.push(waiter)
        const wait = waiter.wait(restore)
        return duration === undefined ? wait : withDeadline(duration, () => waiter.settle(EXPIRED), wait)
      })
    )
  }

  wakeAll(): void {
    for (let waiter = this.waiters.first; waiter !== undefined; waiter = this.waiters.first) waiter.grant(true)
  }
}
