import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { Redis } from "ioredis"
import { monotonicMillis } from "./connection.js"

/**
 * What a background fiber of a limiter sleeps on: `sleep(millis)` ends after `millis` (never, for
 * `undefined`) or at the next `ring()`, whichever comes first. A ring while nobody sleeps is kept
 * for the next sleep, so a ring between a check and the sleep that follows it is never lost.
 *
 * @internal
 */
export class Alarm {
  private rung = false
  private sleeper: Deferred.Deferred<void> | undefined = undefined

  ring(): void {
    const sleeper = this.sleeper
    if (sleeper === undefined) {
      this.rung = true
      return
    }
    this.sleeper = undefined
    Deferred.doneUnsafe(sleeper, Effect.void)
  }

  sleep(millis: number | undefined): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.rung) {
        this.rung = false
        return Effect.void
      }
      const sleeper = Deferred.makeUnsafe<void>()
      this.sleeper = sleeper
      const rung = Deferred.await(sleeper)
      return Effect.ensuring(
        millis === undefined ? rung : Effect.raceFirst(rung, Effect.sleep(Duration.millis(Math.max(0, millis)))),
        Effect.sync(() => {
          if (this.sleeper === sleeper) this.sleeper = undefined
        })
      )
    })
  }
}

/**
 * When a line's background fiber next acts (`at`, this process's monotonic clock, ms): `loop` runs
 * `act(now)` once `at` is reached while the line has waiters, and sleeps until then, or until
 * `ring()` or an earlier `by(at)`. An idle line forgets `at` (the next `by` sets it).
 *
 * @internal
 */
export class WakeAt {
  at = Number.POSITIVE_INFINITY
  private readonly alarm = new Alarm()

  /** Acts by `at` at the latest. */
  by(at: number): void {
    if (at < this.at) {
      this.at = at
      this.alarm.ring()
    }
  }

  /** Looks again now, whatever `at` says. */
  ring(): void {
    this.alarm.ring()
  }

  loop(idle: () => boolean, act: (now: number) => Effect.Effect<void>): Effect.Effect<never> {
    return Effect.forever(Effect.clockWith((clock) =>
      Effect.suspend(() => {
        if (idle()) {
          this.at = Number.POSITIVE_INFINITY
          return this.alarm.sleep(undefined)
        }
        const now = monotonicMillis(clock)
        return now < this.at ? this.alarm.sleep(this.at - now) : act(now)
      })
    ))
  }
}

/**
 * A second connection, subscribed to a limiter's `channel` for the life of the scope: pub/sub
 * needs a connection of its own. It is the caller's connection duplicated (same server, same
 * options), and closed with the scope. ioredis prefixes the keys of a script with the connection's
 * `keyPrefix` but not a channel name, so a script that publishes on its channel (a key) publishes
 * on `<keyPrefix><channel>`: that is the channel subscribed to. `onMessage` gets each message; `onResubscribed` is called
 * each time the subscription is made again after the connection dropped and came back —
 * messages published meanwhile are lost, so whoever waits for one should look again.
 *
 * Making it waits until the first subscription is confirmed, at most `timeoutMillis`: a limiter
 * does not fail for want of its wake-ups (its waiters also poll), so if the subscription is not
 * made by then it is made whenever the connection comes up.
 *
 * @internal
 */
export const subscribe = (
  client: Redis,
  channel: string,
  timeoutMillis: number,
  onMessage: (message: string) => void,
  onResubscribed: () => void
): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<Redis>((resume) => {
      const published = `${client.options.keyPrefix ?? ""}${channel}`
      const subscriber = client.duplicate({
        lazyConnect: true,
        autoResubscribe: false,
        enableOfflineQueue: true,
        // `CLIENT LIST` tells which limiter a subscriber serves (a name holds no space)
        connectionName: `fiberkit-wakeups:${published}`.replace(/[^!-~]/g, "_")
      })
      let made = false
      let subscribed = false
      const ready = () => {
        clearTimeout(timer)
        if (made) return
        made = true
        resume(Effect.succeed(subscriber))
      }
      const timer = setTimeout(ready, timeoutMillis)
      subscriber.on("error", () => {}) // a dropped subscriber only slows wake-ups down to the polls
      subscriber.on("message", (from: string, message: string) => {
        if (from === published) onMessage(message)
      })
      subscriber.on("ready", () => {
        subscriber.subscribe(published).then(() => {
          // subscribed again, or late: what was published meanwhile was not heard
          if (subscribed || made) onResubscribed()
          subscribed = true
          ready()
        }, () => {})
      })
      subscriber.connect().catch(() => {})
    }),
    (subscriber) => Effect.sync(() => subscriber.disconnect())
  ).pipe(Effect.asVoid)
