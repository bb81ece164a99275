import type * as Handoff from "@fiberkit/sync/Handoff"
import { WaitQueue } from "@fiberkit/sync/WaitQueue"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Api from "../TaskStore.js"
import type { Stored } from "./localRecords.js"
import { TaskLines } from "./taskLines.js"

/**
 * A manager on a local store, as the others see it: a cancel made in one manager reaches a task
 * another one holds through it.
 *
 * @internal
 */
export interface Holder {
  /** Cancels the task if a worker of this manager holds it (the answer once it ended); else `undefined`. */
  readonly cancelHeld: (id: string) => Effect.Effect<boolean> | undefined
  /** Whether the task ended lately here. */
  readonly endedLately: (id: string) => boolean
}

/**
 * The queue of a local store (`LocalStore`): its records, the lines of its queued tasks, the
 * takers waiting for one (with their admissions), the timer of its delayed tasks, and how it
 * hands tasks to takers. The store's operations, which change records, extend it.
 *
 * @internal
 */
export class LocalQueue {
  protected readonly records = new Map<string, Stored>()
  protected readonly lines = new TaskLines((record) =>
    this.records.get(record.id) === record && record.state === "queued"
  )
  protected readonly takers = new WaitQueue<Handoff.Waiter<Stored>>()
  /** The admissions of the takers that take only some definitions. */
  protected readonly admissions = new Map<Handoff.Waiter<Stored>, Api.Admission>()
  protected readonly changing = new Set<string>()
  /** Queued tasks whose entry a claim dropped while a cancel of theirs was being written. */
  protected readonly skipped = new Set<string>()
  /** The managers on this store, each able to cancel the tasks its workers hold. */
  readonly holders = new Set<Holder>()
  /**
   * Whether a manager with metrics on has held this store: its series count the store's tasks
   * (and stay in the registry after it stops), so a later manager does not count them again.
   */
  counted = false
  /** Tasks queued or running (delayed ones too), whichever manager added or runs them. */
  private open = 0
  private readonly idleWatchers = new Set<() => void>()

  /** How many tasks are queued or running in the store. */
  get unfinishedTasks(): number {
    return this.open
  }

  /** `watch` runs each time no task is left queued or running; returns what stops it. */
  watchIdle(watch: () => void): () => void {
    this.idleWatchers.add(watch)
    return () => this.idleWatchers.delete(watch)
  }

  /** `n` tasks became queued (added, replayed, recovered), or ended (negative). */
  protected opened(n: number): void {
    this.open += n
    if (this.open === 0) { for (const watch of [...this.idleWatchers]) watch() }
  }

  /**
   * The next takeable task (see `TaskLines`) of the definitions `admission` accepts, marked
   * `changing` and counted as taken by it, in this step; `undefined` if none.
   */
  protected claim(admission: Api.Admission | undefined): Stored | undefined {
    const accept = admission?.accepts
    for (let record = this.lines.next(accept); record !== undefined; record = this.lines.next(accept)) {
      if (this.changing.has(record.id)) {
        // a cancel is being written: its entry is gone from the line, should the write fail
        this.skipped.add(record.id)
        continue
      }
      this.changing.add(record.id)
      admission?.taken(record.name)
      return record
    }
    return undefined
  }

  /**
   * Hands takeable tasks to the waiting takers, the longest waiting first; a taker whose
   * admission takes none of them waits on, and the next one is served.
   */
  protected serve(): void {
    for (let taker = this.takers.first; taker !== undefined;) {
      const following = taker.next as Handoff.Waiter<Stored> | undefined
      const admission = this.admissions.get(taker)
      const record = this.claim(admission)
      if (record !== undefined) taker.grant(record)
      else if (admission === undefined) return
      taker = following
    }
    // no taker waits: no timer either
    if (this.takers.size === 0) this.lines.delayed.disarm()
  }

  readonly reconsider: Effect.Effect<void> = Effect.sync(() => this.serve())

  /** The timer's work: what is due joins the queue, the takers are served, the next time armed. */
  private readonly wake: Effect.Effect<void> = Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.suspend(() => {
      this.lines.promote(now)
      this.serve()
      return this.armed
    }))

  /** A timer for the next delayed task, while takers wait. */
  protected readonly armed: Effect.Effect<void> = Effect.suspend(() =>
    this.takers.size === 0 || this.lines.delayed.size === 0 ? Effect.void : this.lines.delayed.arm(this.wake)
  )

  /** A task that is queued again, before the tasks of its priority (given back by its taker's `admission`). */
  protected putBack(id: string, admission?: Api.Admission): void {
    this.changing.delete(id)
    const record = this.records.get(id)
    if (record !== undefined) {
      admission?.untaken(record.name)
      this.lines.putBack(record)
    }
    this.serve()
  }

  /** How many entries the lines hold, stale ones included. @internal */
  get entries(): number {
    return this.lines.entries
  }
}
