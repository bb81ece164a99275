import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { RedisUnreachable } from "../../Errors.js"
import type { ErrorLog } from "./errorLog.js"

/** The URL with its password hidden, for error messages and logs. @internal */
export const redact = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an invalid URL)"
  }
}

/** One connection attempt that gives up at the first failure: connect, PING, disconnect. */
const probe = (url: string, timeoutMillis: number): Effect.Effect<void, unknown> =>
  Effect.tryPromise({
    try: async () => {
      const client = new Redis(url, {
        lazyConnect: true,
        retryStrategy: () => null,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        connectTimeout: timeoutMillis
      })
      // the socket's error says why (ECONNREFUSED…); `connect` only rejects "Connection is closed"
      let reason: unknown
      client.on("error", (error) => {
        reason = error
      })
      try {
        await client.connect()
        await client.ping()
      } catch (error) {
        throw reason ?? error
      } finally {
        client.disconnect()
      }
    },
    catch: (cause) => cause
  })

/**
 * A connection to `url` for the life of the scope. Redis must answer first, within `attempts`
 * tries `delay` apart: else `RedisUnreachable`, never a hang. Once connected, the client
 * reconnects by itself for as long as it takes (a Redis restart), holding commands meanwhile:
 * BullMQ needs `maxRetriesPerRequest: null`. Its connection errors go to `errors`.
 *
 * @internal
 */
export const connect = (
  url: string,
  options: {
    readonly attempts: number
    readonly delay: Duration.Input
    readonly timeout: Duration.Input
  },
  errors: ErrorLog
): Effect.Effect<Redis, RedisUnreachable, Scope.Scope> =>
  Effect.andThen(
    probe(url, Duration.toMillis(options.timeout)).pipe(
      Effect.retry(Schedule.max([Schedule.spaced(options.delay), Schedule.recurs(options.attempts - 1)])),
      Effect.mapError((cause) => new RedisUnreachable({ url: redact(url), attempts: options.attempts, cause }))
    ),
    Effect.acquireRelease(
      Effect.sync(() => {
        const client = new Redis(url, {
          maxRetriesPerRequest: null,
          retryStrategy: (times) => Math.min(times * 100, 2_000)
        })
        // it reconnects by itself, and commands wait for it: its errors are logged, not failed
        client.on("error", errors.listener("client"))
        client.on("ready", errors.readyListener("client"))
        return client
      }),
      (client) => Effect.promise(() => client.quit().catch(() => client.disconnect()))
    )
  )
