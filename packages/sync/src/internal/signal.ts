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

  readonly wait: Effect.Effect<void> = Effect.async<void>((resume) => {
    const waiter: Waiter = { resume, prev: undefined, next: undefined, queued: false }
    this.waiters.push(waiter)
    return Effect.sync(() => {
      this.waiters.remove(waiter)
    })
  })

  wakeAll(): void {
    for (const waiter of this.waiters.drain()) waiter.resume(Effect.void)
  }
}
