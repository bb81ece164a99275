/**
 * Review (second round) of the limiters on Redis: each test here fails against the code it was
 * written for, and shows one broken promise of the README or the JSDoc — replies read late or as
 * strings, and a wall clock that steps.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Duration, Effect, Exit, Fiber, Option } from "effect"
import { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { eventually, freshName, prefix, url } from "./redis.js"
import { delayingProxy, steppedClock, zcard } from "./zz-review-tools.js"

describe("review 2: the limiters on Redis, replies and clocks", { concurrent: false }, () => {
  it.live(
    "RedisRateLimiter: a grow published while a waiter's try is on its way is not lost: the waiter starts now, not an hour later",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("growrace")
        const options = { name, prefix, limit: 1, interval: "1 hour" } as const
        const steering = yield* RedisRateLimiter.make({ ...options, url: url() })
        yield* steering.take() // the limit is reached for an hour
        // this process's replies come 300 ms late (a slow link); its subscriber's do not
        const limiter = yield* RedisRateLimiter.make({ ...options, url: yield* delayingProxy(300) })
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        yield* Effect.sleep("100 millis") // Redis has answered the try: wait an hour
        yield* steering.resize({ limit: 10 }) // a grow, published: heard by `limiter` before that answer
        // JSDoc (resize): "They are stored in Redis and published: each process's waiters compute
        // their start again at once (a grow lets them in now)"
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption("3 seconds"))
        assert.deepStrictEqual(
          exit,
          Option.some(Exit.succeed("ran")),
          "the waiter sleeps the hour it was told before the grow"
        )
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter: a reply sent before a grow, read after its message, does not take the grow back (options, cost check)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stalereply")
        const options = { name, prefix, limit: 2, interval: "1 hour" } as const
        const steering = yield* RedisRateLimiter.make({ ...options, url: url() })
        // this process's replies come 300 ms late (a slow link); its subscriber's do not
        const limiter = yield* RedisRateLimiter.make({ ...options, url: yield* delayingProxy(300) })
        yield* Effect.sleep("500 millis") // make's background read has come back
        const read = yield* Effect.forkChild(limiter.stats, { startImmediately: true })
        yield* Effect.sleep("100 millis") // Redis has answered the read, with limit 2
        yield* steering.resize({ limit: 10 }) // published: heard by `limiter` before that answer
        yield* Fiber.join(read)
        yield* Effect.sleep("300 millis") // its message has come long ago
        // JSDoc (DistributedRateLimiter): "`options` are the numbers in force as this process last heard
        // from Redis: make's, or the last resize's, in whichever process" — it heard the resize last
        assert.strictEqual(limiter.options.limit, 10, "options went back to the numbers before the resize")
        // README: "the stored numbers win over every process's make options": a cost of 5 is within them
        const exit = yield* Effect.exit(limiter.withCost(5)(Effect.succeed("ran")))
        assert.deepStrictEqual(exit, Exit.succeed("ran"))
      })),
    20_000
  )

  it.live(
    "RedisConcurrencyLimiter on the caller's connection made with ioredis's stringNumbers: concurrency is a number",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stringnumbers")
        // an app that reads big integers exactly passes its connection, as the README invites
        const redis = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(url(), { stringNumbers: true })),
          (connection) => Effect.promise(() => connection.quit())
        )
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          redis,
          concurrency: 1,
          leaseTime: "3 seconds"
        })
        // JSDoc (ConnectionOptions.redis): "An ioredis connection of the caller's. The limiter runs its
        // scripts on it and never closes it. Its own settings apply"
        const exit = yield* limiter(Effect.succeed("ran")).pipe(Effect.timeoutOption("2 seconds"), Effect.exit)
        assert.deepStrictEqual(exit, Exit.succeed(Option.some("ran")), "nobody inside, and the effect did not run")
        // the reply's numbers come as strings: `concurrency: number` is "1"
        assert.strictEqual(limiter.concurrency, 1)
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter on a stringNumbers connection: a first try above the stored limit is refused, it does not start over it",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stringrefuse")
        const redis = yield* Effect.acquireRelease(
          Effect.sync(() => new Redis(url(), { stringNumbers: true })),
          (connection) => Effect.promise(() => connection.quit())
        )
        const options = { name, prefix, limit: 10, interval: "1 hour" } as const
        const steering = yield* RedisRateLimiter.make({ ...options, url: url() })
        yield* steering.resize({ limit: 2 }) // stored: 2 per hour, for every process
        const limiter = yield* RedisRateLimiter.make({ ...options, redis })
        // README: "Redis checks a request's first try against the numbers stored: a cost above them
        // ... is refused, and the call dies with IllegalArgumentError ... — it does not start"
        const exit = yield* limiter.withCost(5)(Effect.succeed("ran")).pipe(
          Effect.timeoutOption("2 seconds"),
          Effect.exit
        )
        const used = yield* zcard(redis, `${prefix}:${name}:sliding-window`) // the log's entries: one per unit
        assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause), `the cost of 5 ended ${String(exit)}`)
        assert.isAtMost(Number(used), 2)
      })),
    20_000
  )

  it.live(
    "the wall clock stepped forward (an NTP correction) while a holder runs: its lease, renewed on Redis's clock, is kept",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("clockstep")
        // Redis 20 ms away (another zone), as far as this process's scripts are concerned
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: yield* delayingProxy(20),
          concurrency: 1,
          leaseTime: "3 seconds"
        })
        const wall = yield* steppedClock
        const holder = yield* Effect.forkChild(
          limiter(Effect.as(Effect.sleep("2 seconds"), "ran")).pipe(Effect.provideService(Clock.Clock, wall.clock))
        )
        yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
        wall.step = 5_000 // the machine's clock is corrected by 5 s; Redis, and the lease, are untouched
        // README: "expiry is judged on Redis's clock (TIME), not a process's"; a holder is interrupted only
        // "if a running holder's lease cannot be renewed before it expires" — here every renewal gets through
        const exit = yield* Effect.exit(Fiber.join(holder))
        assert.deepStrictEqual(exit, Exit.succeed("ran"))
      })),
    20_000
  )

  it.live(
    "the wall clock stepped back while a holder's renewal is on its way: the holder still renews before its lease expires",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("clockback")
        const options = { name, prefix, concurrency: 1, leaseTime: "3 seconds" } as const
        // the holder's process: Redis's replies come 200 ms late (its requests do not)
        const holding = yield* RedisConcurrencyLimiter.make({ ...options, url: yield* delayingProxy(200) })
        const other = yield* RedisConcurrencyLimiter.make({ ...options, url: url() })
        const wall = yield* steppedClock
        let running = 0
        let most = 0
        const inside = (millis: number) =>
          Effect.acquireUseRelease(
            Effect.sync(() => most = Math.max(most, ++running)),
            () => Effect.sleep(Duration.millis(millis)),
            () => Effect.sync(() => running--)
          )
        const holder = yield* Effect.forkChild(
          holding(inside(6_000)).pipe(Effect.provideService(Clock.Clock, wall.clock)),
          { startImmediately: true }
        )
        yield* eventually(Effect.map(other.inside, (n) => n === 1)) // taken (the reply is on its way)
        // its first renewal goes at 1 s and is answered at 1.2 s: the clock steps back 10 s meanwhile
        yield* Effect.sleep("1100 millis")
        wall.step = -10_000
        const next = yield* Effect.forkChild(other(inside(10)))
        const holderExit = yield* Effect.exit(Fiber.join(holder))
        yield* Fiber.join(next)
        // README: "At most `concurrency` effects run at once across every process"; a holder that cannot
        // renew "is interrupted — when the lease, as last confirmed, expires"
        assert.strictEqual(most, 1, `two effects inside at once (the holder ended ${holderExit._tag})`)
      })),
    30_000
  )
})
