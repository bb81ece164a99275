/**
 * Review (second round) of the limiters on Redis: each test here fails against the code it was
 * written for, and shows one broken promise of the README or the JSDoc.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Deferred, Duration, Effect, Exit, Fiber, Option, Scope } from "effect"
import { Redis } from "ioredis"
import * as net from "node:net"
import { PendingLimitExceeded } from "../src/Errors.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

/**
 * A TCP proxy to the test Redis, closed with the scope, that delays by `millis` what Redis sends on
 * the first connection made through it (a limiter's script connection; its subscriber, made next,
 * is not delayed).
 */
const delayingProxy = (millis: number): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ server: net.Server; sockets: Set<net.Socket>; url: string }>((resume) => {
      const target = new URL(url())
      const sockets = new Set<net.Socket>()
      let accepted = 0
      const server = net.createServer((downstream) => {
        const delayed = accepted++ === 0
        const upstream = net.connect(Number(target.port), target.hostname)
        for (const socket of [downstream, upstream]) {
          sockets.add(socket)
          socket.on("error", () => {})
        }
        downstream.on("data", (chunk) => upstream.write(chunk))
        upstream.on("data", (chunk) => {
          if (delayed) setTimeout(() => downstream.write(chunk), millis)
          else downstream.write(chunk)
        })
        downstream.on("close", () => upstream.destroy())
        upstream.on("close", () => downstream.destroy())
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ server, sockets, url: `redis://127.0.0.1:${port}` }))
      })
    }),
    ({ server, sockets }) =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
        server.close()
      })
  ).pipe(Effect.map(({ url }) => url))

/**
 * A wall clock stepped `step` ms from the real one (as NTP steps a machine's clock), with the real
 * timers and monotonic time.
 */
const steppedClock = Effect.map(Clock.clockWith(Effect.succeed), (real) => {
  const wall = { step: 0, clock: undefined as unknown as Clock.Clock }
  const now = () => real.currentTimeMillisUnsafe() + wall.step
  wall.clock = {
    currentTimeMillisUnsafe: now,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanosUnsafe: () => real.currentTimeNanosUnsafe() + BigInt(wall.step) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => real.currentTimeNanosUnsafe() + BigInt(wall.step) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => real.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: real.monotonicTimeNanos,
    sleep: (duration) => real.sleep(duration)
  }
  return wall
})

const zcard = (redis: Redis, key: string) => Effect.promise(() => redis.zcard(key))

/** The connections Redis has, as `CLIENT LIST` shows them. */
const connections = (redis: Redis) =>
  Effect.promise(() => redis.client("LIST") as Promise<string>).pipe(
    Effect.map((list) =>
      list.split("\n").filter((line) => line !== "").map((line) =>
        Object.fromEntries(line.split(" ").map((field) => field.split("=", 2) as [string, string]))
      )
    )
  )

describe("review 2: the limiters on Redis", { concurrent: false }, () => {
  it.live(
    "a holder whose effect ends while its connection is down: the lease is given back once Redis answers again",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("releaseblip")
        const redis = yield* client
        const keys = lineKeys(name)
        const before = new Set((yield* connections(redis)).map((c) => c.id))
        const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
        yield* Effect.sleep("100 millis") // the background read of `make` has run: its connection's last command is a script
        const scripts = (yield* connections(redis)).filter((c) => !before.has(c.id) && c.cmd?.startsWith("eval"))
        assert.strictEqual(scripts.length, 1)
        yield* limiter(Effect.gen(function*() {
          // a blip: the limiter's connection drops while the effect runs (ioredis reconnects it in 100 ms)
          yield* Effect.promise(() => redis.client("KILL", "ID", scripts[0]!.id!))
          yield* Effect.sleep("20 millis")
        }))
        // README: "the lease is released when the effect ends, whether it succeeds, fails or is
        // interrupted" — the connection is back within a second; the permit should not stay taken
        // for the rest of the 10 s lease, holding up every process's waiters
        yield* Effect.sleep("1 second")
        assert.strictEqual(yield* limiter.inside, 0, "the ended holder's lease is still in Redis")
        assert.strictEqual(yield* zcard(redis, keys.leases), 0)
      })),
    20_000
  )

  it.live(
    "onFull dropOldest: two requests arriving together over maxPending 1 — the older is dropped, the newer waits",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("dropoldest")
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" } as const
        const holderLimiter = yield* RedisConcurrencyLimiter.make(options)
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holderLimiter(Deferred.await(gate)))
        yield* eventually(Effect.map(holderLimiter.inside, (n) => n === 1))
        const limiter = yield* RedisConcurrencyLimiter.make({ ...options, maxPending: 1, onFull: "dropOldest" })
        // the first one arrives, then the second, before Redis has answered the first
        const older = yield* Effect.forkChild(limiter(Effect.succeed("older")), { startImmediately: true })
        const newer = yield* Effect.forkChild(limiter(Effect.succeed("newer")), { startImmediately: true })
        const olderExit = yield* Fiber.await(older).pipe(Effect.timeoutOption("1 second"))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        const newerExit = yield* Effect.exit(Fiber.join(newer))
        // JSDoc (Options.onFull): "dropOldest: drop this process's longest waiter": the newcomer
        // is never the one refused while an older request of this process waits
        const dropped = Option.isSome(olderExit) ? errorOf(olderExit.value) : undefined
        const refused = errorOf(newerExit) as PendingLimitExceeded | undefined
        assert.isUndefined(refused, `the newer request was refused: ${JSON.stringify(refused)}`)
        assert.deepStrictEqual(newerExit, Exit.succeed("newer"))
        assert.instanceOf(dropped, PendingLimitExceeded, `the older request: ${String(olderExit)}`)
      })),
    20_000
  )

  it.live(
    "maxPending 1, two requests arriving together while a permit is free: one enters, the other waits — not refused",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("reserved")
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: "30 seconds",
          maxPending: 1
        })
        const gate = yield* Deferred.make<void>()
        // nobody is inside: the first takes the free permit, the second is then the only waiter
        const first = yield* Effect.forkChild(limiter(Deferred.await(gate)), { startImmediately: true })
        const second = yield* Effect.forkChild(limiter(Effect.succeed("second")), { startImmediately: true })
        yield* Effect.sleep("500 millis")
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(first)
        const exit = yield* Effect.exit(Fiber.join(second))
        // JSDoc (Options.maxPending via ConcurrencyLimiter): the most requests waiting in this process —
        // one waiting is within a bound of 1; README: "A request refused ... fails PendingLimitExceeded"
        // only when the bound is reached
        const refused = errorOf(exit) as PendingLimitExceeded | undefined
        assert.isUndefined(refused, `refused with nobody else waiting: ${JSON.stringify(refused)}`)
        assert.deepStrictEqual(exit, Exit.succeed("second"))
      })),
    20_000
  )

  it.live(
    "the limiter's scope closed while a request's first try is on its way to Redis: the request fails, it does not wait forever",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("closetry")
        const redis = yield* client
        const keys = lineKeys(name)
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "3 seconds" } as const
        const holderLimiter = yield* RedisConcurrencyLimiter.make(options)
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holderLimiter(Deferred.await(gate)))
        yield* eventually(Effect.map(holderLimiter.inside, (n) => n === 1))

        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisConcurrencyLimiter.make(options))
        // the request (outside the limiter's scope) sends its try; the scope closes before the reply
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        assert.strictEqual(yield* limiter.waiting, 1)
        yield* Scope.close(scope, Exit.void)
        // JSDoc (make, internal): "When the limiter's scope closes: its waiters fail, their registrations
        // given back" — a request whose try was on its way is waiting too (`waiting` counts it)
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption("5 seconds"))
        const registered = yield* zcard(redis, keys.line)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        assert.isTrue(Option.isSome(exit), `still waiting 5 s after the scope closed (line in Redis: ${registered})`)
        assert.isTrue(Exit.isFailure(Option.getOrThrow(exit)))
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter: the scope closed while a request's first try is on its way: the request fails, it does not wait forever",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("rateclosetry")
        const options = { name, prefix, url: url(), limit: 1, interval: "2 seconds" } as const
        const first = yield* RedisRateLimiter.make(options)
        yield* first.take() // the limit is reached for 2 s

        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisRateLimiter.make(options))
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        yield* Scope.close(scope, Exit.void)
        // JSDoc (RateLine.close): "When the limiter's scope closes: its waiting requests fail" — the
        // request never heard back; 5 s is more than twice the interval
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption("5 seconds"))
        assert.isTrue(Option.isSome(exit), "still waiting 5 s after the scope closed")
        assert.isTrue(Exit.isFailure(Option.getOrThrow(exit)))
      })),
    20_000
  )

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
    "two limits of one name in two Redis databases are two limits: a resize in one does not change the other's numbers",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("twodbs")
        const otherDb = new URL(url())
        otherDb.pathname = "/1"
        // database 1's keys of this name are removed with the scope
        yield* Effect.addFinalizer(() =>
          Effect.promise(async () => {
            const redis = new Redis(otherDb.toString())
            const keys = await redis.keys(`${prefix}:${name}:*`)
            if (keys.length > 0) await redis.del(...keys)
            await redis.quit()
          })
        )
        const options = { name, prefix, limit: 10, interval: "1 hour" } as const
        const mine = yield* RedisRateLimiter.make({ ...options, url: url() })
        const theirs = yield* RedisRateLimiter.make({ ...options, url: otherDb.toString() })
        yield* theirs.resize({ limit: 2 }) // stored in database 1, for database 1's limit
        yield* Effect.sleep("300 millis")
        // README: "Processes that make limiters of the same name, prefix and algorithm share one limit"
        // — the limit's state is in its keys, and database 0's keys were not resized
        assert.strictEqual(mine.options.limit, 10, "database 1's resize changed database 0's limiter")
        const exit = yield* Effect.exit(mine.withCost(5)(Effect.succeed("ran")))
        assert.deepStrictEqual(exit, Exit.succeed("ran"))
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
