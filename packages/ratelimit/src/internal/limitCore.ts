import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import { PermitPool, type Room } from "@fiberkit/sync/Permits"
import { Watchers } from "@fiberkit/sync/Watchers"
import * as Effect from "effect/Effect"
import { type Bound, shed } from "./steering.js"

/**
 * A concurrency limit: `PermitPool` of `total` permits, a use holding one. Uses wait in one line
 * by rank — a priority turned into a rank by the facade's `Priority.Ranking` (strict, or with
 * aging so that nobody starves) — equal ranks first come, first served. A bound on the line
 * sheds load (`PendingLimitExceeded`); `resize` changes `total` preempting no one; `watchers` end
 * `awaitIdle`/`awaitSizeBelow` waits after each change. A use may also need a place in a `Room`
 * (its key's, in a keyed limit): it waits in the same line, passed over while its room is full.
 *
 * @internal
 */
export class LimitCore {
  readonly pool: PermitPool
  readonly watchers = new Watchers()

  constructor(public total: number, readonly options: Bound) {
    this.pool = new PermitPool(total)
  }

  /** Permits in use: inside, or handed to a waiter about to resume (above `total` after a shrink). */
  get inside(): number {
    return this.total - this.pool.free
  }

  get waiting(): number {
    return this.pool.waiting
  }

  /**
   * `effect` run within the limit (and a place in `room`, if given), placed in line by `rank`
   * (lower first). `onDropped` is called in the step a newcomer drops this use from the line
   * (`onFull: "dropOldest"`), before its fiber resumes with the error.
   */
  enter<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    rank: number,
    room?: Room,
    onDropped?: () => void
  ): Effect.Effect<A, E | PendingLimitExceeded, R> {
    return Effect.uninterruptibleMask((restore) => {
      const full = this.admit(room)
      if (full !== undefined) return Effect.fail(full)
      const leave = room === undefined ? this.leave : Effect.sync(() => this.pool.release(1, room))
      const body = Effect.ensuring(restore(effect), leave)
      // refused only by a drop, made when `maxPending` waited (see `admit`): the count at the
      // drop, not at the dropped fiber's later resumption
      const refused = Effect.suspend(() => Effect.fail(shed(this.options, this.options.maxPending!, true)))
      return Effect.ensuring(
        this.pool.takeThen(1, restore, body, rank, refused, room, onDropped),
        Effect.sync(() => this.watchers.check())
      )
    })
  }

  /** Checked in the same step as the line is joined: `undefined` if this use may wait (or need not). */
  private admit(room: Room | undefined): PendingLimitExceeded | undefined {
    const max = this.options.maxPending
    if (max === undefined || this.waiting < max || this.pool.canTake(1, room)) return undefined
    if (this.options.onFull === "fail") return this.shed(false)
    // make room: the one that waited longest leaves with the error, the newcomer joins
    return this.pool.refuseOldest() ? undefined : this.shed(false)
  }

  private shed(dropped: boolean): PendingLimitExceeded {
    return shed(this.options, this.waiting, dropped)
  }

  private readonly leave = Effect.sync(() => this.pool.release(1))

  /** Serves the waiters that can be now: after a room grew (a keyed limit's `perKey`). */
  serve(): void {
    this.pool.serve()
    this.watchers.check()
  }

  resize(total: number): void {
    const delta = total - this.total
    this.total = total
    this.pool.resize(delta)
    this.watchers.check()
  }

  /** Waits until nothing is inside or waiting. */
  readonly awaitIdle: Effect.Effect<void> = this.watchersUntil(() => this.inside === 0 && this.waiting === 0)

  /** Waits until fewer than `n` wait (any integer ≥ 1: one past 2^53, a natural "no bound", returns at once). */
  awaitSizeBelow(n: number): Effect.Effect<void> {
    return Effect.suspend(() =>
      this.watchers.untilBelow(`${this.options.source}.awaitSizeBelow`, n, () => this.waiting)
    )
  }

  private watchersUntil(holds: () => boolean): Effect.Effect<void> {
    return Effect.suspend(() => this.watchers.until(holds))
  }
}
