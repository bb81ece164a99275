import * as Effect from "effect/Effect"
import { TaskManagerShutDown } from "../Errors.js"
import type { Ends } from "./ends.js"
import type { LocalQueue } from "./localQueue.js"

/**
 * What a local manager's `join` waits for. A local store counts the tasks queued or running
 * itself (`LocalQueue.unfinishedTasks`), whichever manager on it added or runs them — managers
 * sharing a store (a schedule's ticks are added by one and may run on another) see one count; the
 * manager then counts only its adds and replays being written (`writing`), and the tasks it holds
 * or cancels until their outcome is published. With a store written by hand, the manager counts
 * its own tasks from their add to the publishing of their outcome.
 *
 * @internal
 */
export class Joins {
  private writing = 0
  private readonly waiting = new Set<() => void>()
  /** The manager has stopped: a join with tasks left fails. */
  stopped = false

  constructor(private readonly ends: Ends, readonly shared: LocalQueue | undefined) {
    ends.onSettled = () => this.wakeIfDone()
  }

  /** `n` adds or replays are being written (or, with a store written by hand, `n` tasks more left). */
  count(n: number): void {
    this.writing += n
    this.wakeIfDone()
  }

  /** An add or a replay of `provisional` tasks is written, `stored` of them stored. */
  written(stored: number, provisional: number): void {
    this.count(this.shared === undefined ? stored - provisional : -provisional)
  }

  /** A task of this manager's ended, its outcome published. */
  published(): void {
    if (this.shared === undefined) this.count(-1)
    else this.wakeIfDone()
  }

  /** `undefined` while tasks are left to wait for. */
  private done(): Effect.Effect<void, TaskManagerShutDown> | undefined {
    const shared = this.shared
    const over = this.writing === 0 &&
      (shared === undefined || (shared.unfinishedTasks === 0 && this.ends.held.size === 0 && !this.ends.busy))
    if (over) return Effect.void
    // stopped with tasks left (queued in the store for the next start): they will not end here
    return this.stopped ? Effect.fail(new TaskManagerShutDown()) : undefined
  }

  /** Wakes the joins if they may end now (every task over, or the manager stopped). */
  wakeIfDone(): void {
    if (this.done() === undefined) return
    // taken out first: a woken join may run inline, right here, and join again (it must wait)
    const wakes = [...this.waiting]
    this.waiting.clear()
    for (const wake of wakes) wake()
  }

  readonly join: Effect.Effect<void, TaskManagerShutDown> = Effect.callback<void, TaskManagerShutDown>((resume) => {
    const now = this.done()
    if (now !== undefined) return resume(now)
    const wake = () => resume(this.done() ?? Effect.void)
    this.waiting.add(wake)
    return Effect.sync(() => {
      this.waiting.delete(wake)
    })
  })
}
