import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/**
 * The hosts a `Retry-After` paused in one `fetchAll` run: for each, the time (Clock ms) before which
 * no attempt at it may begin. A pause only ever extends. A waiting attempt sleeps, then reads the
 * pause again: it may have been extended meanwhile. (Nothing is handed over, so a plain sleep is the
 * wait; the order among the waiters is kept by the limits they go through next.)
 *
 * @internal
 */
export class HostPauses {
  private readonly until = new Map<string, number>()

  /** No attempt at `host` before `now + millis`. */
  pause(host: string, now: number, millis: number): void {
    const end = now + millis
    if (end > (this.until.get(host) ?? Number.NEGATIVE_INFINITY)) this.until.set(host, end)
  }

  /** Milliseconds until `host` may be tried again at `now`; 0 if it is not paused (a pause over is forgotten). */
  remaining(host: string, now: number): number {
    const end = this.until.get(host)
    if (end === undefined) return 0
    if (end > now) return end - now
    this.until.delete(host)
    return 0
  }

  /** Waits until `host` is not paused. */
  wait(host: string): Effect.Effect<void> {
    const check: Effect.Effect<void> = Effect.clockWith((clock) => {
      const left = this.remaining(host, clock.currentTimeMillisUnsafe())
      return left === 0 ? Effect.void : Effect.andThen(Effect.sleep(Duration.millis(left)), check)
    })
    return check
  }

  /**
   * `effect` behind `limit` (a rate limiter), once `host` is not paused: the pause is waited for
   * before the limiter, so that a paused attempt does not hold a turn, and checked again once the
   * limiter lets it start — a 429 may have paused the host while it waited there. Then the start
   * is given up (a start counted and not used only makes the limit stricter) and taken again after
   * the pause, so that the attempt never begins later than the start it counts.
   */
  gate<A, E, R>(
    host: string,
    effect: Effect.Effect<A, E, R>,
    limit: (<A1, E1, R1>(effect: Effect.Effect<A1, E1, R1>) => Effect.Effect<A1, E1, R1>) | undefined
  ): Effect.Effect<A, E, R> {
    if (limit === undefined) return Effect.andThen(this.wait(host), effect)
    const paused = { _tag: "Paused" } as const
    const started: Effect.Effect<A | typeof paused, E, R> = limit(
      Effect.clockWith((clock): Effect.Effect<A | typeof paused, E, R> =>
        this.remaining(host, clock.currentTimeMillisUnsafe()) > 0 ? Effect.succeed(paused) : effect
      )
    )
    const attempt: Effect.Effect<A, E, R> = Effect.andThen(
      this.wait(host),
      Effect.flatMap(started, (result) => result === paused ? attempt : Effect.succeed(result as A))
    )
    return attempt
  }
}
