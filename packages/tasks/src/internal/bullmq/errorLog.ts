import * as Clock from "effect/Clock"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * The connection errors of the store's Redis clients (its ioredis connection, BullMQ's Queue,
 * Worker and QueueEvents, the cancel subscriber), logged through Effect's logger — they used to
 * be swallowed. The clients reconnect by themselves and report an error at every try, so the same
 * error (same text) is logged at most once per `interval`: the first at once, the next one after
 * the interval with how many were left out in between. When the connection is back (`ready`
 * after errors), that is logged too.
 *
 * @internal
 */
export class ErrorLog {
  private readonly seen = new Map<string, { loggedAt: number; skipped: number }>()
  /** Errors reported since the connection was last up. */
  private errors = 0

  constructor(private readonly context: Context.Context<never>, readonly intervalMillis = 10_000) {}

  /** Logs `error`, reported by `source`, unless the same error was logged less than `interval` ago. */
  report(source: string, error: unknown): Effect.Effect<void> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const text = error instanceof Error ? error.message : String(error)
      this.errors++
      const seen = this.seen.get(text)
      if (seen !== undefined && now - seen.loggedAt < this.intervalMillis) {
        seen.skipped++
        return Effect.void
      }
      this.seen.set(text, { loggedAt: now, skipped: 0 })
      const more = seen === undefined || seen.skipped === 0
        ? ""
        : ` (and ${seen.skipped} more times since it was last logged)`
      return Effect.logWarning(`Redis connection error (${source}), reconnecting: ${text}${more}`).pipe(
        Effect.annotateLogs({ source, error: text })
      )
    })
  }

  /** The connection of `source` is up again: logged if errors were logged since it was last up. */
  restored(source: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const errors = this.errors
      if (errors === 0) return Effect.void
      this.errors = 0
      this.seen.clear()
      return Effect.logInfo(`Redis connection restored (${source}) after ${errors} connection errors`).pipe(
        Effect.annotateLogs({ source })
      )
    })
  }

  /** An `error` listener for an event emitter (a Redis client, a BullMQ Queue, Worker or QueueEvents). */
  listener(source: string): (error: unknown) => void {
    return (error) => {
      Effect.runForkWith(this.context)(this.report(source, error))
    }
  }

  /** A `ready` listener: logs that the connection is back, after errors. */
  readyListener(source: string): () => void {
    return () => {
      Effect.runForkWith(this.context)(this.restored(source))
    }
  }
}
