/**
 * Review of the Redis limiters' fair line, wake-ups and steering: each test breaks a promise of the
 * README's "Limits shared by many processes, on Redis" section (see the report); they FAIL against
 * the reviewed code. The last describe ("review pins (pass)") pins promises that hold.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Scope } from "effect"
import { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, eventually, freshName, lineKeys, prefix, redisMicros, url } from "./redis.js"

const zcard = (redis: Redis, key: string) => Effect.promise(() => redis.zcard(key))

/** Blocks this process's event loop for `millis`: a stalled process (GC pause, CPU-bound work). */
const stall = (millis: number) =>
  Effect.sync(() => {
    const until = Date.now() + millis
    while (Date.now() < until) {
      // busy
    }
  })

describe("review: RedisConcurrencyLimiter", { concurrent: false }, () => {
  it.live(
    "a waiter stalled past its registration puts itself back and is granted a fresh lease: its effect runs",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("review-stall")
        const redis = yield* client
        const keys = lineKeys(name)
        // a connection 20 ms away from Redis (a Redis on another host): each script's reply comes 20 ms later
        const remote = yield* client
        const evalsha = remote.evalsha.bind(remote) as (...args: Array<unknown>) => Promise<unknown>
        ;(remote as unknown as { evalsha: typeof evalsha }).evalsha = (...args) =>
          new Promise((resolve) => setTimeout(resolve, 20)).then(() => evalsha(...args))
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          redis: remote,
          concurrency: 1,
          leaseTime: 300,
          pollInterval: "100 millis"
        })
        // a holder that is not a limiter, whose lease ends 150 ms from now
        const now = yield* redisMicros(redis)
        yield* Effect.promise(() => redis.zadd(keys.leases, now + 150_000, "ghost"))
        const waiter = yield* Effect.forkChild(limiter(Effect.as(Effect.sleep("50 millis"), "ran")))
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 1))
        // the process stalls longer than leaseTime: its registration expires in Redis ("a process
        // that was only stalled puts it back in its place at its next poll")
        yield* stall(700)
        // its next poll puts it back and, the ghost's lease being gone, hands it the permit: a lease
        // that lasts leaseTime from that poll. Its effect should run.
        const exit = yield* Effect.exit(Fiber.join(waiter))
        assert.deepStrictEqual(
          exit,
          Exit.succeed("ran"),
          `the waiter ended ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""}`
        )
      })),
    20_000
  )

  it.live(
    "a connection given as redis with ioredis's keyPrefix: a waiter is woken by the release at once, not by its poll (10 s)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("review-keyprefix")
        const redis = yield* client
        const keyPrefix = "review-kp:"
        yield* Effect.addFinalizer(() =>
          Effect.promise(async () => {
            const keys = await redis.keys(`${keyPrefix}${prefix}:${name}:*`)
            if (keys.length > 0) await redis.del(...keys)
          }).pipe(Effect.ignore)
        )
        const connection = Effect.acquireRelease(
          Effect.sync(() => new Redis(url(), { keyPrefix })),
          (connection) => Effect.sync(() => connection.disconnect())
        )
        const options = { name, prefix, concurrency: 1, leaseTime: "30 seconds" } as const
        const holding = yield* RedisConcurrencyLimiter.make({ ...options, redis: yield* connection })
        const waiting = yield* RedisConcurrencyLimiter.make({ ...options, redis: yield* connection })
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holding(Deferred.await(gate)))
        yield* eventually(Effect.map(holding.inside, (n) => n === 1))
        const waiter = yield* Effect.forkChild(waiting(Effect.sync(() => Date.now())))
        yield* eventually(Effect.map(waiting.waiting, (n) => n === 1))
        yield* Effect.sleep("200 millis")
        const releasedAt = Date.now()
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        const enteredAt = yield* Fiber.join(waiter)
        // README: "A waiter whose permit was handed to it is woken by the message at once — about a
        // round trip after the release". The script publishes on the prefixed key's channel; the
        // subscriber (the connection duplicated) subscribes to the unprefixed name.
        assert.isBelow(enteredAt - releasedAt, 2000, `woken ${enteredAt - releasedAt} ms after the release`)
      })),
    30_000
  )
})

describe("review: RedisRateLimiter", { concurrent: false }, () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    it.live(
      `${algorithm}: resized to 2 by one process, a process made later starts no more than 2 at once`,
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName(`review-resize-${algorithm}`)
          const redis = yield* client
          const first = yield* RedisRateLimiter.make({
            name,
            prefix,
            url: url(),
            limit: 10,
            interval: "10 seconds",
            algorithm
          })
          yield* first.resize({ limit: 2, ...(algorithm === "sliding-window" ? {} : { burst: 2 }) })
          // README: "every process uses them from then on ..., processes made later too"
          const later = yield* RedisRateLimiter.make({
            name,
            prefix,
            url: url(),
            limit: 10,
            interval: "10 seconds",
            algorithm
          })
          const started = yield* Deferred.make<void>()
          const fiber = yield* Effect.forkChild(Effect.exit(later.withCost(10)(Deferred.succeed(started, undefined))))
          yield* Effect.sleep("300 millis")
          const stats = yield* first.stats
          // 10 starts within one interval, of a limit (and burst) of 2
          assert.isFalse(
            yield* Deferred.isDone(started),
            `a cost of 10 started against a limit of 2 (available now ${stats.available}; ${
              algorithm === "sliding-window"
                ? `log holds ${yield* zcard(redis, `${prefix}:${name}:${algorithm}`)}`
                : "bucket overdrawn"
            })`
          )
          yield* Fiber.interrupt(fiber)
        })),
      20_000
    )
  }

  it.live(
    "pause of a finite but huge duration: pausedFor stays ≥ 0, and a waiter sleeps instead of asking Redis every millisecond",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("review-hugepause")
        // counts the scripts this limiter sends
        const counted = yield* client
        let scripts = 0
        const evalsha = counted.evalsha.bind(counted) as (...args: Array<unknown>) => Promise<unknown>
        ;(counted as unknown as { evalsha: typeof evalsha }).evalsha = (...args) => {
          scripts++
          return evalsha(...args)
        }
        const limiter = yield* RedisRateLimiter.make({ name, prefix, redis: counted, limit: 2, interval: "1 second" })
        // "pause(duration)": any finite duration ≥ 0 is accepted (10^10 days: paused until Redis's µs
        // clock passes 2^63, which a Lua number returned to Redis cannot hold)
        yield* limiter.pause("10000000000 days")
        const { pausedFor } = yield* limiter.stats
        const waiter = yield* Effect.forkChild(limiter(Effect.void))
        yield* Effect.sleep("100 millis")
        const before = scripts
        yield* Effect.sleep("500 millis")
        const asked = scripts - before
        yield* Fiber.interrupt(waiter)
        assert.isAtLeast(pausedFor, 0, `stats.pausedFor = ${pausedFor}`)
        assert.isAtMost(asked, 2, `the waiting request asked Redis ${asked} times in 500 ms`)
      })),
    20_000
  )
})

/** Promises that hold (they pass): pinned, because the brief asked for them and no other test covers them. */
describe("review pins (pass): scope end and a subscriber cut for good", { concurrent: false }, () => {
  it.live(
    "the limiter's scope closed while a request waits (the request outside the scope): its registration leaves the line",
    () =>
      Effect.gen(function*() {
        const name = yield* freshName("review-close")
        const redis = yield* client
        const keys = lineKeys(name)
        const holderLimiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holderLimiter(Deferred.await(gate)))
        yield* eventually(Effect.map(holderLimiter.inside, (n) => n === 1))

        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(
          RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" })
        )
        const waiter = yield* Effect.forkChild(limiter(Effect.void))
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 1))
        yield* Scope.close(scope, Exit.void)
        const exit = yield* Effect.exit(Fiber.join(waiter))
        assert.isTrue(Exit.isFailure(exit))
        // README: "the waiters fail, their registrations given back"; it should not sit in the line
        // (holding up every other process's waiters) for the whole 30 s lease
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 0), 3000)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
      }).pipe(Effect.scoped),
    20_000
  )

  it.live(
    "this limiter's own subscriber killed (CLIENT KILL ID) and never reconnected: a waiter is served by the fallback poll",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("review-subkill")
        const redis = yield* client
        const connectionName = `review-${crypto.randomUUID().slice(0, 8)}`
        // the limiter's subscriber is this connection duplicated: same name, and no reconnection
        const own = yield* Effect.acquireRelease(
          Effect.sync(() => {
            const connection = new Redis(url(), { connectionName, retryStrategy: () => null })
            connection.on("error", () => {})
            return connection
          }),
          (connection) => Effect.sync(() => connection.disconnect())
        )
        const holding = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holding(Deferred.await(gate)))
        yield* eventually(Effect.map(holding.inside, (n) => n === 1))
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          redis: own,
          concurrency: 1,
          leaseTime: 900,
          pollInterval: "300 millis"
        })
        const waiter = yield* Effect.forkChild(limiter(Effect.sync(() => Date.now())))
        yield* eventually(Effect.map(zcard(redis, lineKeys(name).line), (n) => n === 1))
        const clients = String(yield* Effect.promise(() => redis.client("LIST"))).split("\n")
        const subscriber = clients.filter((line) => line.includes(`name=${connectionName} `) && / sub=1 /.test(line))
        assert.strictEqual(subscriber.length, 1)
        yield* Effect.promise(() => redis.client("KILL", "ID", /id=(\d+)/.exec(subscriber[0]!)![1]!))
        yield* Effect.sleep("100 millis")
        const releasedAt = Date.now()
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        const enteredAt = yield* Fiber.join(waiter)
        // within a poll interval (300 ms) and a round trip, not never
        assert.isBelow(enteredAt - releasedAt, 1500)
        assert.strictEqual(yield* zcard(redis, lineKeys(name).waiters), 0)
      })),
    20_000
  )
})
