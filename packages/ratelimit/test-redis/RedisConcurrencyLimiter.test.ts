/**
 * The concurrency limiter on Redis, in one process: the limit under concurrency (one limiter, and
 * three on three connections), interruption of a waiter and of a holder, failures, lease renewal
 * and a lease lost, and Redis unreachable. (A holder process killed with SIGKILL: `Processes.test.ts`.)
 */
import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect"
import { Redis } from "ioredis"
import { RedisLimiterUnavailable } from "../src/Errors.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { client, deadPort, eventually, freshName, prefix, redisMicros, url } from "./redis.js"

const limiterOf = (name: string, extra: Partial<RedisConcurrencyLimiter.Options> = {}) =>
  RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 3, ...extra })

const leasesKey = (name: string) => `${prefix}:${name}:leases`

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

describe("RedisConcurrencyLimiter", { concurrent: false }, () => {
  for (const connections of [1, 3]) {
    it.live(`20 tasks of 50 ms through ${connections} limiter(s) of concurrency 3: never more than 3 inside, 3 at times`, () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("peak")
        const limiters = yield* Effect.all(Array.from({ length: connections }, () => limiterOf(name)))
        let inside = 0
        let peak = 0
        const started = Date.now()
        yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) =>
            limiters[i % connections]!(Effect.acquireUseRelease(
              Effect.sync(() => peak = Math.max(peak, ++inside)),
              () => Effect.sleep("50 millis"),
              () => Effect.sync(() => inside--)
            )),
          { concurrency: "unbounded", discard: true }
        )
        assert.strictEqual(peak, 3)
        // 7 waves of 50 ms at least
        assert.isAtLeast(Date.now() - started, 340)
        assert.strictEqual(yield* limiters[0]!.inside, 0)
        assert.strictEqual(yield* limiters[0]!.waiting, 0)
      })))
  }

  it.live("a waiter interrupted while it waits leaks no permit and leaves no lease", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("waiter")
      const limiter = yield* limiterOf(name, { concurrency: 2 })
      const go = yield* Deferred.make<void>()
      const holders = yield* Effect.forkChild(
        Effect.forEach([1, 2], () => limiter(Deferred.await(go)), { concurrency: "unbounded", discard: true })
      )
      yield* eventually(Effect.map(limiter.inside, (n) => n === 2))
      let ran = false
      const waiter = yield* Effect.forkChild(limiter(Effect.sync(() => ran = true)))
      yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
      yield* Effect.sleep("150 millis") // several tries
      yield* Fiber.interrupt(waiter)
      assert.isFalse(ran)
      assert.strictEqual(yield* limiter.waiting, 0)
      assert.strictEqual(yield* limiter.inside, 2)
      yield* Deferred.succeed(go, undefined)
      yield* Fiber.join(holders)
      assert.strictEqual(yield* limiter.inside, 0)
      const redis = yield* client
      assert.strictEqual(yield* Effect.promise(() => redis.zcard(leasesKey(name))), 0)
    })))

  it.live("a holder interrupted, or failing, gives its permit back at once", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("holder")
      const limiter = yield* limiterOf(name, { concurrency: 1 })
      const holder = yield* Effect.forkChild(limiter(Effect.never))
      yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
      yield* Fiber.interrupt(holder)
      assert.strictEqual(yield* limiter.inside, 0)
      const failed = yield* Effect.exit(limiter(Effect.fail("boom" as const)))
      assert.strictEqual(errorOf(failed), "boom")
      assert.strictEqual(yield* limiter.inside, 0)
      const started = Date.now()
      assert.strictEqual(yield* limiter(Effect.succeed("next")), "next")
      assert.isBelow(Date.now() - started, 100)
    })))

  it.live("a holder running past its lease time keeps its lease renewed: nobody else gets in", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("renew")
      const redis = yield* client
      const options = { concurrency: 1, leaseTime: "300 millis" } as const
      const limiter = yield* limiterOf(name, options)
      const other = yield* limiterOf(name, options)
      const go = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limiter(Deferred.await(go)))
      yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
      const firstExpiry = Number(
        yield* Effect.promise(() => redis.zrange(leasesKey(name), "0", "0", "WITHSCORES")).pipe(
          Effect.map((reply) => reply[1])
        )
      )
      let otherRan = false
      const waiter = yield* Effect.forkChild(other(Effect.sync(() => otherRan = true)))
      yield* Effect.sleep("1200 millis") // four lease times
      assert.isFalse(otherRan)
      assert.isUndefined(holder.pollUnsafe())
      const expiry = Number((yield* Effect.promise(() => redis.zrange(leasesKey(name), "0", "0", "WITHSCORES")))[1])
      assert.isAbove(expiry, firstExpiry + 700_000) // renewed, in µs
      assert.isAbove(expiry, yield* redisMicros(redis))
      yield* Deferred.succeed(go, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.join(waiter)
      assert.isTrue(otherRan)
    })))

  it.live("a lease lost (removed behind the holder's back) interrupts the holder with RedisLimiterUnavailable", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("lost")
      const redis = yield* client
      const limiter = yield* limiterOf(name, { concurrency: 1, leaseTime: "300 millis" })
      let finished = false
      const holder = yield* Effect.forkChild(
        limiter(Effect.andThen(Effect.sleep("5 seconds"), Effect.sync(() => finished = true)))
      )
      yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
      yield* Effect.promise(() => redis.del(leasesKey(name)))
      const started = Date.now()
      const exit = yield* Fiber.await(holder)
      assert.isBelow(Date.now() - started, 300)
      assert.isFalse(finished)
      const error = errorOf(exit)
      assert.instanceOf(error, RedisLimiterUnavailable)
      assert.strictEqual((error as RedisLimiterUnavailable).operation, "renew")
    })))

  it.live("a local ConcurrencyLimiter is a DistributedConcurrencyLimiter: code written for one takes both", () =>
    Effect.gen(function*() {
      const local: RedisConcurrencyLimiter.DistributedConcurrencyLimiter = yield* ConcurrencyLimiter.make({
        concurrency: 1
      })
      assert.strictEqual(yield* local(Effect.succeed(1)), 1)
      assert.strictEqual(local.concurrency, 1)
    }))

  it.live("invalid options fail InvalidOptions, naming the field", () =>
    Effect.gen(function*() {
      const bad = [
        { concurrency: 0 },
        { leaseTime: "10 millis" },
        { name: "" },
        { pollInterval: 0 }
      ] as const
      for (const options of bad) {
        const exit = yield* Effect.exit(Effect.scoped(limiterOf("invalid", options)))
        const error = errorOf(exit) as { _tag: string; field: string } | undefined
        assert.strictEqual(error?._tag, "InvalidOptions")
        assert.strictEqual(error?.field, Object.keys(options)[0])
      }
    }))

  describe("Redis unreachable", () => {
    it.live("make with a URL on a port nobody listens on fails RedisLimiterUnavailable at once", () =>
      Effect.gen(function*() {
        const port = yield* deadPort()
        const started = Date.now()
        const exit = yield* Effect.exit(Effect.scoped(
          RedisConcurrencyLimiter.make({ name: "nobody", url: `redis://127.0.0.1:${port}`, concurrency: 1 })
        ))
        assert.isBelow(Date.now() - started, 1000)
        assert.instanceOf(errorOf(exit), RedisLimiterUnavailable)
      }))

    it.live("a connection that cannot reach Redis: the effect does not run, the call fails within commandTimeout", () =>
      Effect.gen(function*() {
        const port = yield* deadPort()
        const redis = yield* Effect.acquireRelease(
          Effect.sync(() => {
            const redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true })
            redis.on("error", () => {})
            return redis
          }),
          (redis) => Effect.sync(() => redis.disconnect())
        )
        const limiter = yield* RedisConcurrencyLimiter.make({
          name: "nobody",
          redis,
          commandTimeout: "300 millis",
          concurrency: 1
        })
        let ran = false
        const started = Date.now()
        const exit = yield* Effect.exit(limiter(Effect.sync(() => ran = true)))
        const took = Date.now() - started
        assert.isFalse(ran)
        // the acquire's 300 ms, then its lease given back (which may have been taken): 300 ms more
        assert.isAtLeast(took, 290)
        assert.isBelow(took, 1200)
        const error = errorOf(exit)
        assert.instanceOf(error, RedisLimiterUnavailable)
        assert.strictEqual((error as RedisLimiterUnavailable).operation, "acquire")
      }).pipe(Effect.scoped))
  })
})
