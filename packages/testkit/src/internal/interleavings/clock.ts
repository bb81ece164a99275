import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

interface Timer {
  readonly at: number
  readonly seq: number
  readonly resume: (effect: Effect.Effect<void>) => void
}

/**
 * The virtual clock of one schedule. Time stands still while any fiber can run; when every fiber
 * waits, the explorer moves it to the earliest wake-up and wakes every sleeper due then at once,
 * so the scheduler also chooses the order of wake-ups that fall on the same instant (a hand-off
 * and a deadline in the same tick).
 *
 * @internal
 */
export class VirtualClock implements Clock.Clock {
  now = 0
  private timers: Array<Timer> = []
  private seq = 0

  currentTimeMillisUnsafe(): number {
    return this.now
  }

  readonly currentTimeMillis: Effect.Effect<number> = Effect.sync(() => this.now)

  currentTimeNanosUnsafe(): bigint {
    return BigInt(Math.round(this.now * 1_000_000))
  }

  readonly currentTimeNanos: Effect.Effect<bigint> = Effect.sync(() => this.currentTimeNanosUnsafe())

  monotonicTimeNanosUnsafe(): bigint {
    return this.currentTimeNanosUnsafe()
  }

  readonly monotonicTimeNanos: Effect.Effect<bigint> = this.currentTimeNanos

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    const millis = Duration.toMillis(duration)
    return Effect.callback<void>((resume) => {
      // a sleep that never ends is no timer: a fiber waiting only on it is blocked
      if (!Number.isFinite(millis)) return
      const timer: Timer = { at: this.now + Math.max(0, millis), seq: this.seq++, resume }
      this.timers.push(timer)
      return Effect.sync(() => {
        const i = this.timers.indexOf(timer)
        if (i >= 0) this.timers.splice(i, 1)
      })
    })
  }

  get pending(): number {
    return this.timers.length
  }

  /** Moves to the earliest wake-up and wakes every sleeper due then; `false` if none sleeps. */
  advance(): boolean {
    if (this.timers.length === 0) return false
    let at = Number.POSITIVE_INFINITY
    for (const timer of this.timers) at = Math.min(at, timer.at)
    this.now = Math.max(this.now, at)
    const due = this.timers.filter((timer) => timer.at <= this.now).sort((a, b) => a.seq - b.seq)
    this.timers = this.timers.filter((timer) => timer.at > this.now)
    // Effect 4 runs a resumed fiber at once, inside `resume`: each sleeper first yields, so that
    // it joins the line of ready fibers (in the order the sleeps began) instead
    for (const timer of due) timer.resume(Effect.yieldNow)
    return true
  }
}
