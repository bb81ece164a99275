import type * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { InvalidOptions, RedisLimiterUnavailable } from "../../Errors.js"
import type { ConnectionOptions } from "../../RedisRateLimiter.js"
import type { Script } from "./scripts.js"

/** A command that got no reply within the command timeout: whether Redis ran it is unknown. @internal */
export class NoReply extends Error {
  constructor(readonly millis: number) {
    super(`no reply from Redis within ${millis} ms`)
  }
}

/** The URL with its password hidden. */
const redact = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return "(an invalid URL)"
  }
}

/**
 * The limiter's Redis: the scripts it runs, on the connection it was given or opened.
 *
 * @internal
 */
export class Connection {
  /** Work under way that needs the connection: a request, from its try to its release; a give-back. */
  private busy = 0
  /** Closes the connection once `busy` is back to 0 (its scope closed meanwhile). */
  private closeWhenIdle: (() => void) | undefined = undefined

  constructor(
    readonly client: Redis,
    /** The shared limit's name, for errors. */
    readonly name: string,
    readonly timeoutMillis: number
  ) {}

  /**
   * Marks work under way that needs the connection, until `done` is called: a connection this
   * limiter opened is not closed before — its scope closing leaves it open until then — so what
   * the work took in Redis can be given back.
   */
  hold(): () => void {
    this.busy++
    let released = false
    return () => {
      if (released) return
      released = true
      if (--this.busy === 0 && this.closeWhenIdle !== undefined) {
        const close = this.closeWhenIdle
        this.closeWhenIdle = undefined
        close()
      }
    }
  }

  /** `effect`, the connection held while it runs (see `hold`). */
  holding<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const done = this.hold()
        return Effect.ensuring(restore(effect), Effect.sync(done))
      })
    )
  }

  /** `close` now if no work holds the connection; else in the background once the last is done. */
  closeAfterWork(close: Effect.Effect<void>): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.busy === 0) return close
      this.closeWhenIdle = () => Effect.runFork(close)
      return Effect.void
    })
  }

  /**
   * The channel of the limiter whose keys start with `base`: pub/sub spans every database of a
   * server, so the database's number is in its name — a limit of the same name in another
   * database is another limit, and publishes on another channel. A script publishes on it as its
   * last key, so a `keyPrefix` of the connection prefixes it as it does the keys.
   */
  channel(base: string): string {
    return `${base}:wake:db${this.client.options.db ?? 0}`
  }

  /**
   * EVALSHA, and EVAL when Redis does not have the script yet (NOSCRIPT): one promise, whatever
   * happens. The EVAL runs after the scripts sent meanwhile: it is not sent once the caller gave
   * up (`abandoned`: a reply, the timeout, or the caller interrupted), whose give-back, sent then,
   * would run before it; and it is sent with `again()`'s arguments, when given — as they are now
   * (a poll names only the waiters still waiting: one granted, or gone, since would be registered
   * again after its release or withdrawal).
   */
  private send(
    script: Script,
    keys: ReadonlyArray<string>,
    args: ReadonlyArray<string | number>,
    abandoned: () => boolean,
    again: (() => ReadonlyArray<string | number>) | undefined
  ): Promise<unknown> {
    const client = this.client
    return client.evalsha(script.sha, keys.length, ...keys, ...args).catch((error: unknown) =>
      error instanceof Error && error.message.startsWith("NOSCRIPT") && !abandoned()
        ? client.eval(script.source, keys.length, ...keys, ...(again === undefined ? args : again()))
        : Promise.reject(error)
    )
  }

  /**
   * Runs `script`: its reply, or `RedisLimiterUnavailable` when it fails or gets no reply within
   * the command timeout (its cause then a `NoReply`). Waiting for the reply cannot be interrupted
   * where the caller is uninterruptible — so a decision Redis has made is never lost on the way —
   * and never lasts past the timeout; where it is interrupted, the command is given up (no `EVAL`
   * follows a `NOSCRIPT`). The command's promise always has a handler: a reply that comes after
   * the timeout, or a rejection when the connection closes, is dropped, not left unhandled.
   * `again`: the arguments of an `EVAL` after `NOSCRIPT` (see `send`).
   */
  run(
    operation: string,
    script: Script,
    keys: ReadonlyArray<string>,
    args: ReadonlyArray<string | number>,
    again?: () => ReadonlyArray<string | number>
  ): Effect.Effect<unknown, RedisLimiterUnavailable> {
    return Effect.callback<unknown, RedisLimiterUnavailable>((resume) => {
      let done = false
      const settle = (effect: Effect.Effect<unknown, RedisLimiterUnavailable>) => {
        if (done) return
        done = true
        clearTimeout(timer)
        resume(effect)
      }
      const fail = (cause: unknown) =>
        settle(Effect.fail(new RedisLimiterUnavailable({ limiter: this.name, operation, cause })))
      const timer = setTimeout(() => fail(new NoReply(this.timeoutMillis)), this.timeoutMillis)
      try {
        this.send(script, keys, args, () => done, again).then((reply) => settle(Effect.succeed(reply)), fail)
      } catch (error) {
        fail(error)
      }
      // the caller interrupted: the command is given up
      return Effect.sync(() => {
        done = true
        clearTimeout(timer)
      })
    })
  }
}

/**
 * A connection opened from a URL: connected first (else `RedisLimiterUnavailable`), closed with the
 * scope — or, if work still holds it then (see `Connection.hold`), once that work is done.
 */
const open = (
  url: string,
  name: string,
  timeoutMillis: number
): Effect.Effect<Connection, RedisLimiterUnavailable, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const client = new Redis(url, {
          lazyConnect: true,
          // a limiter fails fast when Redis is away, it does not hold requests: the caller decides
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: timeoutMillis,
          retryStrategy: (times) => Math.min(times * 100, 1_000)
        })
        // the socket's error says why (ECONNREFUSED…); commands report it to their callers
        let reason: unknown
        client.on("error", (error) => {
          reason = error
        })
        // a server that takes the connection but never answers fails too, within the timeout
        let timer: ReturnType<typeof setTimeout> | undefined
        const silent = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NoReply(timeoutMillis)), timeoutMillis)
        })
        try {
          await Promise.race([client.connect(), silent])
        } catch (error) {
          client.disconnect()
          throw reason ?? error
        } finally {
          clearTimeout(timer)
        }
        return new Connection(client, name, timeoutMillis)
      },
      catch: (cause) =>
        new RedisLimiterUnavailable({
          limiter: name,
          operation: "connect",
          cause: new Error(`${redact(url)}: ${cause instanceof Error ? cause.message : String(cause)}`)
        })
    }),
    (connection) => {
      const client = connection.client
      return connection.closeAfterWork(
        Effect.promise(() => client.quit().then(() => undefined, () => client.disconnect())).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(timeoutMillis),
            orElse: () => Effect.sync(() => client.disconnect())
          })
        )
      )
    }
  )

const MAX_TIMER_MILLIS = 2_147_483_647

const milliseconds = (input: Duration.Input): number => {
  const decoded = Duration.fromInput(input)
  return decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
}

/**
 * The connection options checked, and the connection: the caller's `redis` (never closed here),
 * or one opened to `url` (default `FIBERKIT_REDIS_URL`) for the life of the scope.
 *
 * @internal
 */
export const connect = (
  operation: string,
  name: string,
  options: ConnectionOptions
): Effect.Effect<
  { readonly connection: Connection; readonly prefix: string },
  InvalidOptions | RedisLimiterUnavailable,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const invalid = (field: string, expected: string, value: unknown) =>
      new InvalidOptions({ operation, field, expected, value })
    if (typeof name !== "string" || name === "") return yield* invalid("name", "a non-empty string", name)
    const prefix = options.prefix ?? "fiberkit:ratelimit"
    if (typeof prefix !== "string" || prefix === "") return yield* invalid("prefix", "a non-empty string", prefix)
    const timeoutMillis = milliseconds(options.commandTimeout ?? "2 seconds")
    // a timer longer than 2^31 − 1 ms fires at once in Node: that bound, not a silent failure of every call
    if (!(timeoutMillis >= 1 && timeoutMillis <= MAX_TIMER_MILLIS)) {
      return yield* invalid(
        "commandTimeout",
        "a duration from 1 millisecond to 2,147,483,647 ms (24.8 days)",
        options.commandTimeout
      )
    }
    if (options.redis !== undefined) {
      if (options.url !== undefined) return yield* invalid("url", "absent when redis is given", "a URL")
      return { connection: new Connection(options.redis, name, timeoutMillis), prefix }
    }
    const given = options.url ?? Option.getOrUndefined(
      yield* Effect.orDie(Config.option(Config.Redacted("FIBERKIT_REDIS_URL")))
    )
    const url = Redacted.isRedacted(given) ? Redacted.value(given) : given
    if (url === undefined || !/^rediss?:\/\//.test(url)) {
      return yield* invalid(
        "url",
        "a redis:// URL, given or in FIBERKIT_REDIS_URL (or a connection as redis)",
        url === undefined ? undefined : redact(url)
      )
    }
    return { connection: yield* open(url, name, timeoutMillis), prefix }
  })

/**
 * A number a script answered: Redis's integer replies are numbers, but strings on a connection
 * made with ioredis's `stringNumbers` — every reply's numbers are read through this.
 *
 * @internal
 */
export const integer = (value: unknown): number => typeof value === "number" ? value : Number(value)

/** The whole milliseconds to sleep for a wait of `micros` (never less than the wait). @internal */
export const sleepMillis = (micros: number): number => Math.max(1, Math.ceil(micros / 1000))

/**
 * This process's monotonic time in ms, from the Clock (`TestClock` moves it): what every local
 * deadline and sleep of a limiter on Redis is timed with — a wall clock stepped by NTP would make a
 * holder miss its renewal, or sleep past it. Redis's `TIME` alone times expiries in Redis.
 *
 * @internal
 */
export const monotonicMillis = (clock: Clock.Clock): number => Number(clock.monotonicTimeNanosUnsafe()) / 1_000_000
