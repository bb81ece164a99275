import { Watchers } from "@fiberkit/sync/Watchers"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * This process's share of a concurrency limiter on Redis: its requests waiting — from their start
 * until they are let in or fail, whatever step they are at (a try or a renewal on its way, in line,
 * or between two of these) — and its effects inside, from the step their request stopped waiting
 * until they left. One count for the whole wait, and the move inside in the same step, so no
 * request is ever seen neither waiting nor inside: `awaitIdle` and `awaitSizeBelow` never return
 * in a gap between two steps of a request.
 *
 * @internal
 */
export class Occupancy {
  waiting = 0
  inside = 0
  private readonly watchers = new Watchers()

  /** `request` counted as waiting while it runs, then — if it succeeds — inside, until `left()`. */
  admit<A, E, R>(request: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.suspend(() => {
      this.waiting++
      return Effect.onExit(request, (exit) =>
        Effect.sync(() => {
          this.waiting--
          if (Exit.isSuccess(exit)) this.inside++
          this.watchers.check()
        }))
    })
  }

  /** An effect admitted has left (its lease released, or given back in the background). */
  left(): void {
    this.inside--
    this.watchers.check()
  }

  /** Waits until no request of this process waits and no effect of it is inside. */
  readonly awaitIdle: Effect.Effect<void> = this.watchers.until(() => this.inside === 0 && this.waiting === 0)

  /** Waits until fewer than `size` requests of this process wait (a defect unless an integer ≥ 1). */
  awaitSizeBelow(size: number): Effect.Effect<void> {
    return this.watchers.untilBelow("RedisConcurrencyLimiter.awaitSizeBelow", size, () => this.waiting)
  }
}
