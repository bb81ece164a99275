import * as Effect from "effect/Effect"
import { type Node, WaitQueue } from "../WaitQueue.js"

interface Waiter extends Node {
  resume: (effect: Effect.Effect<void>) => void
}

/**
 * Fibers waiting for one signal, all woken at once (an `Event` being set, a latch reaching
 * zero). An interrupted waiter simply leaves: nothing is handed to it, so nothing can be lost.
 *
 * @internal
 */
export class Signal {
  private readonly waiters = new WaitQueue<Waiter>()

  get size(): number {
    return this.waiters.size
  }

  /**
   * Waits for the next `wakeAll`, unless `ready()` already holds. The check is made inside the
   * registration itself: checking first and registering in a later step would leave a gap in
   * which the fiber can yield, the signal fire, and the wait then never end.
   */
  waitUnless(ready: () => boolean): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      if (ready()) return resume(Effect.void)
      const waiter: Waiter = { resume, prev: undefined, next: undefined, queued: false }
      this.waiters.push(waiter)
      return Effect.sync(() => {
        this.waiters.remove(waiter)
      })
    })
  }

  wakeAll(): void {
    for (const waiter of this.waiters.drain()) waiter.resume(Effect.void)
  }
}
