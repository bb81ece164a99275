/**
 * The concurrency limiter's fair line when a process misbehaves: a waiter whose process stalled
 * past its registration, the limiter's scope closed under a waiter, and its subscriber killed for
 * good. (From a review; the first test failed before the fix: a waiter put back in line after a
 * stall was granted a lease dated from before the stall, and its first renewal had no time left.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Scope } from "effect"
import { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
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

describe(
  "RedisConcurrencyLimiter: a stalled waiter, a closed scope, a killed subscriber",
  { concurrent: false },
  () => {
    it.live(
      "a waiter stalled past its registration puts itself back and is granted a fresh lease: its effect runs",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("stall")
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
          // that lasts leaseTime from that poll. Its effect runs.
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
      "the limiter's scope closed while a request waits (the request outside the scope): its registration leaves the line",
      () =>
        Effect.gen(function*() {
          const name = yield* freshName("close")
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
          // README: "the waiters fail, their registrations given back"; it does not sit in the line
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
          const name = yield* freshName("subkill")
          const redis = yield* client
          // the limiter's subscriber is this connection duplicated: no reconnection either
          const own = yield* Effect.acquireRelease(
            Effect.sync(() => {
              const connection = new Redis(url(), { retryStrategy: () => null })
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
          // a subscriber is named after the channel it listens on (`CLIENT LIST`): two limiters listen
          // on this one, the holder's (first) and the waiter's
          const subscriberName = `name=fiberkit-wakeups:${lineKeys(name).leases}:wake:db0 `
          const clients = String(yield* Effect.promise(() => redis.client("LIST"))).split("\n")
          const subscribers = clients.filter((line) => line.includes(subscriberName) && / sub=1 /.test(line))
          assert.strictEqual(subscribers.length, 2)
          const id = (line: string) => Number(/(?:^| )id=(\d+)/.exec(line)![1])
          const newest = subscribers.reduce((a, b) => id(a) > id(b) ? a : b)
          yield* Effect.promise(() => redis.client("KILL", "ID", String(id(newest))))
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
  }
)
