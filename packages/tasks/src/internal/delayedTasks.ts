import { Heap } from "@fiberkit/sync/Heap"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type { Stored } from "./localRecords.js"

interface Entry {
  readonly record: Stored
  readonly at: number
  readonly seq: number
}

/**
 * A local store's queued tasks whose time has not come (added with a `delay` or `runAt`): by
 * time, then in the order they were added. `due(now)` hands over the ones whose time has come;
 * the store calls it before each take. While takers wait and a task is delayed, one timer fiber
 * sleeps until the earliest time (on the `Clock` of the fiber that armed it: `TestClock` in
 * tests) and then lets the store serve them; it is interrupted once no taker waits, so a store
 * whose workers have stopped holds no timer (nor keeps the process alive).
 *
 * A task leaves early when its cancel is written (`drop`), and waits for another time when a
 * debounce moves it (`reschedule`): its old entry stays in the heap and is skipped when it comes
 * up — an entry is live only while it is its task's latest.
 *
 * @internal
 */
export class DelayedTasks {
  private readonly heap = new Heap<Entry>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq))
  /** The tasks waiting here, each with the `seq` of its live entry. */
  private readonly waiting = new Map<Stored, number>()
  private seq = 0
  private timer: { readonly at: number; readonly fiber: Fiber.Fiber<void> } | undefined = undefined

  get size(): number {
    return this.waiting.size
  }

  /** Whether `record` waits for its time here. */
  has(record: Stored): boolean {
    return this.waiting.has(record)
  }

  push(record: Stored, at: number): void {
    const seq = this.seq++
    this.waiting.set(record, seq)
    this.heap.push({ record, at, seq })
  }

  /** `record` now waits for `at` instead (its old entry goes stale): `false` if it was not waiting here. */
  reschedule(record: Stored, at: number): boolean {
    if (!this.waiting.has(record)) return false
    this.push(record, at)
    return true
  }

  private isLive(entry: Entry): boolean {
    return this.waiting.get(entry.record) === entry.seq
  }

  /** `record` leaves (cancelled): `true` if it was waiting here. */
  drop(record: Stored): boolean {
    return this.waiting.delete(record)
  }

  /** Calls `each` with every task whose time has come at `now`, the earliest first. */
  due(now: number, each: (record: Stored) => void): void {
    for (let first = this.heap.peek(); first !== undefined && first.at <= now; first = this.heap.peek()) {
      this.heap.shift()
      if (this.isLive(first)) {
        this.waiting.delete(first.record)
        each(first.record)
      }
    }
  }

  /** The earliest time a task waits for, skipping stale entries. */
  private earliest(): number | undefined {
    for (let first = this.heap.peek(); first !== undefined; first = this.heap.peek()) {
      if (this.isLive(first)) return first.at
      this.heap.shift()
    }
    return undefined
  }

  /**
   * Arms the timer for the earliest delayed task, unless one is armed for that time or earlier;
   * when it fires, `fire` runs (the store hands over what is due and serves its takers).
   */
  arm(fire: Effect.Effect<void>): Effect.Effect<void> {
    return Effect.suspend(() => {
      const at = this.earliest()
      if (at === undefined || (this.timer !== undefined && this.timer.at <= at)) return Effect.void
      this.disarm()
      const sleep = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sleep(Math.max(0, at - now)))
      const timer = Effect.andThen(
        sleep,
        Effect.suspend(() => {
          this.timer = undefined
          return fire
        })
      )
      return Effect.map(Effect.forkDetach(timer), (fiber) => {
        this.timer = { at, fiber }
      })
    })
  }

  /** No taker waits: the timer goes. */
  disarm(): void {
    const timer = this.timer
    if (timer === undefined) return
    this.timer = undefined
    timer.fiber.interruptUnsafe()
  }
}
