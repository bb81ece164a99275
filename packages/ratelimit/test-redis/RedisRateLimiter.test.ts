/**
 * The rate limiters on Redis, in one process: each algorithm's guarantee under concurrency (on
 * this process's clock, which reads each start a little after Redis decided it: hence a tolerance
 * of some milliseconds), limiters of one name sharing one limit, costs, interruption of a
 * waiter, the EVAL fallback, the caller's connection left open, and Redis unreachable.
 */
import { assert, describe, it } from "@effect/vitest"
import { RateLimiter } from "@fiberkit/ratelimit"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { Redis } from "ioredis"
import { RedisLimiterUnavailable } from "../src/Errors.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, deadPort, freshName, mostWithin, preciseNow, prefix, url } from "./redis.js"

/**
 * How much later this process may read one start than another after Redis decided them, in ms:
 * Redis's clock is strict to the microsecond (a log of grants on it showed no excess), but a
 * loaded machine delays some replies by tens of milliseconds. A limiter that lets through twice
 * its limit, or keeps a limit per connection, is still far outside it.
 */
const TOLERANCE = 50
const LIMIT = 5
const INTERVAL = 500
const REQUESTS = 20

const limiterOf = (
  name: string,
  algorithm: RateLimiter.RateLimiter.Algorithm,
  extra: Partial<RedisRateLimiter.Options> = {}
) => RedisRateLimiter.make({ name, prefix, url: url(), limit: LIMIT, interval: INTERVAL, algorithm, ...extra })

/** Runs `REQUESTS` requests at once through the limiters (round robin); their start times, sorted. */
const startsThrough = (limiters: ReadonlyArray<RedisRateLimiter.DistributedRateLimiter<unknown>>) =>
  Effect.gen(function*() {
    const starts: Array<number> = []
    yield* Effect.forEach(
      Array.from({ length: REQUESTS }, (_, i) => i),
      (i) => limiters[i % limiters.length]!(Effect.sync(() => starts.push(preciseNow()))),
      { concurrency: "unbounded", discard: true }
    )
    return starts.sort((a, b) => a - b)
  })

/** Each algorithm's bound on the starts, and the least time its `REQUESTS` starts can take. */
const guarantees: Record<RateLimiter.RateLimiter.Algorithm, {
  readonly check: (starts: ReadonlyArray<number>) => void
  readonly leastSpan: number
}> = {
  "sliding-window": {
    check: (starts) => assert.isAtMost(mostWithin(starts, INTERVAL - TOLERANCE), LIMIT),
    leastSpan: (Math.ceil(REQUESTS / LIMIT) - 1) * INTERVAL
  },
  "token-bucket": {
    // between any two starts s ≤ t: at most burst + limit × (t − s) / interval
    check: (starts) => {
      for (let i = 0; i < starts.length; i++) {
        for (let j = i; j < starts.length; j++) {
          const bound = LIMIT + LIMIT * (starts[j]! - starts[i]! + TOLERANCE) / INTERVAL
          assert.isAtMost(j - i + 1, bound, `starts ${i}..${j}`)
        }
      }
    },
    leastSpan: (REQUESTS - LIMIT) * INTERVAL / LIMIT
  },
  "gcra": {
    // burst 1: between any two starts s ≤ t at most 1 + limit × (t − s) / interval, read with one
    // emission interval of lateness (a start read 96 ms late at load 6 made two look 4 ms apart);
    // a limit per connection (three times the rate) is still far outside it
    check: (starts) => {
      const late = INTERVAL / LIMIT
      for (let i = 0; i < starts.length; i++) {
        for (let j = i + 1; j < starts.length; j++) {
          assert.isAtMost(j - i + 1, 1 + LIMIT * (starts[j]! - starts[i]! + late) / INTERVAL, `starts ${i}..${j}`)
        }
      }
    },
    leastSpan: (REQUESTS - 1) * INTERVAL / LIMIT
  }
}

// timing tests, one at a time
describe("RedisRateLimiter", { concurrent: false }, () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    describe(algorithm, () => {
      it.live(`${REQUESTS} requests at once keep the ${algorithm} bound, and take no longer than needed`, () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName(algorithm)
          const limiter = yield* limiterOf(name, algorithm)
          const starts = yield* startsThrough([limiter])
          assert.strictEqual(starts.length, REQUESTS)
          guarantees[algorithm].check(starts)
          const span = starts[starts.length - 1]! - starts[0]!
          assert.isAtLeast(span, guarantees[algorithm].leastSpan - TOLERANCE)
          assert.isBelow(span, guarantees[algorithm].leastSpan + 500)
          assert.deepStrictEqual(
            { granted: (yield* limiter.stats).granted, waiting: (yield* limiter.stats).waiting },
            { granted: REQUESTS, waiting: 0 }
          )
        })))

      it.live("three limiters of one name, on three connections, share one limit", () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName(algorithm)
          const limiters = yield* Effect.all([
            limiterOf(name, algorithm),
            limiterOf(name, algorithm),
            limiterOf(name, algorithm)
          ])
          const starts = yield* startsThrough(limiters)
          guarantees[algorithm].check(starts)
          assert.isAtLeast(starts[starts.length - 1]! - starts[0]!, guarantees[algorithm].leastSpan - TOLERANCE)
        })))
    })
  }

  it.live("withCost(n) counts n, and stats reads what is left from Redis", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("cost")
      const limiter = yield* limiterOf(name, "sliding-window", { interval: "10 seconds" })
      assert.strictEqual(yield* limiter.withCost(3)(Effect.succeed("bulk")), "bulk")
      const other = yield* limiterOf(name, "sliding-window", { interval: "10 seconds" })
      const stats = yield* other.stats
      assert.deepStrictEqual(stats, { granted: 0, waiting: 0, available: LIMIT - 3, usage: 3, pausedFor: 0 })
      yield* other.take(2)
      // full: a third start waits (for 10 s)
      const waiter = yield* Effect.forkChild(other.take(1))
      yield* Effect.sleep("200 millis")
      assert.isUndefined(waiter.pollUnsafe())
      assert.strictEqual((yield* other.stats).waiting, 1)
      yield* Fiber.interrupt(waiter)
      assert.strictEqual((yield* other.stats).waiting, 0)
    })))

  it.live("a cost out of range is a defect", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* limiterOf(yield* freshName("defect"), "sliding-window")
      const exit = yield* Effect.exit(limiter.take(LIMIT + 1))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
    })))

  it.live("a waiter interrupted while it waits takes nothing: the next one gets its turn", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("interrupt")
      const limiter = yield* limiterOf(name, "sliding-window", { limit: 2 })
      yield* limiter.take(2)
      let ran = false
      const waiter = yield* Effect.forkChild(limiter(Effect.sync(() => ran = true)))
      yield* Effect.sleep("100 millis")
      yield* Fiber.interrupt(waiter)
      // after the window, both starts are there for others: the interrupted one took none
      yield* Effect.sleep(`${INTERVAL} millis`)
      const stats = yield* limiter.stats
      assert.isFalse(ran)
      assert.deepStrictEqual({ available: stats.available, waiting: stats.waiting }, { available: 2, waiting: 0 })
    })))

  it.live("Redis without the script (SCRIPT FLUSH): EVALSHA fails NOSCRIPT, EVAL runs it", () =>
    Effect.scoped(Effect.gen(function*() {
      const redis = yield* client
      const limiter = yield* limiterOf(yield* freshName("noscript"), "gcra")
      yield* limiter.take()
      yield* Effect.promise(() => redis.script("FLUSH"))
      yield* limiter.take()
      assert.strictEqual((yield* limiter.stats).granted, 2)
    })))

  it.live("a connection given as redis is used, and still open after the limiter's scope closes", () =>
    Effect.scoped(Effect.gen(function*() {
      const redis = yield* client
      const name = yield* freshName("given")
      yield* Effect.scoped(Effect.andThen(
        RedisRateLimiter.make({ name, prefix, redis, limit: 1, interval: "1 second" }),
        (limiter) => limiter.take()
      ))
      assert.strictEqual(redis.status, "ready")
      assert.strictEqual(yield* Effect.promise(() => redis.zcard(`${prefix}:${name}:sliding-window`)), 1)
    })))

  it.live("a local RateLimiter is a DistributedRateLimiter: code written for one takes both", () =>
    Effect.gen(function*() {
      const local: RedisRateLimiter.DistributedRateLimiter = yield* RateLimiter.make({ limit: 1, interval: 100 })
      assert.strictEqual(yield* local(Effect.succeed(1)), 1)
    }))

  it.live("a connection closed under pending decisions: each fails RedisLimiterUnavailable, no rejection left unhandled", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("closed")
      // connected by its first command: the 200 decisions are pending (queued while it connects) when it closes
      const redis = new Redis(url(), { lazyConnect: true })
      redis.on("error", () => {})
      const limiter = yield* RedisRateLimiter.make({ name, prefix, redis, limit: 1_000_000, interval: "1 second" })
      const requests = yield* Effect.forkChild(Effect.forEach(
        Array.from({ length: 200 }, (_, i) => i),
        () => Effect.exit(limiter(Effect.void)),
        { concurrency: "unbounded" }
      ))
      yield* Effect.yieldNow
      redis.disconnect() // the commands still pending reject "Connection is closed."
      const exits = yield* Fiber.join(requests)
      const failures = exits.flatMap((exit) =>
        Exit.isFailure(exit) ? [Option.getOrUndefined(Cause.findErrorOption(exit.cause))] : []
      )
      assert.isAbove(failures.length, 0)
      for (const error of failures) assert.instanceOf(error, RedisLimiterUnavailable)
      // a rejection left unhandled would fail this file's run: give one a chance to surface
      yield* Effect.sleep("100 millis")
    })))

  describe("Redis unreachable", () => {
    it.live("make with a URL on a port nobody listens on fails RedisLimiterUnavailable at once", () =>
      Effect.gen(function*() {
        const port = yield* deadPort()
        const started = Date.now()
        const exit = yield* Effect.exit(Effect.scoped(
          RedisRateLimiter.make({ name: "nobody", url: `redis://127.0.0.1:${port}`, limit: 1, interval: 1000 })
        ))
        assert.isBelow(Date.now() - started, 1000)
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
        assert.instanceOf(error, RedisLimiterUnavailable)
        assert.strictEqual((error as RedisLimiterUnavailable).operation, "connect")
        assert.match((error as RedisLimiterUnavailable).message, /ECONNREFUSED/)
      }))

    it.live("a connection that cannot reach Redis: each call fails within commandTimeout, the effect does not run", () =>
      Effect.gen(function*() {
        const port = yield* deadPort()
        const redis = yield* Effect.acquireRelease(
          Effect.sync(() => {
            // ioredis's defaults: it holds commands while it tries to reconnect
            const redis = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true })
            redis.on("error", () => {})
            return redis
          }),
          (redis) => Effect.sync(() => redis.disconnect())
        )
        const limiter = yield* RedisRateLimiter.make({
          name: "nobody",
          redis,
          commandTimeout: "300 millis",
          limit: 1,
          interval: 1000
        })
        let ran = false
        const started = Date.now()
        const exit = yield* Effect.exit(limiter(Effect.sync(() => ran = true)))
        const took = Date.now() - started
        assert.isFalse(ran)
        assert.isAtLeast(took, 290)
        assert.isBelow(took, 1000)
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
        assert.instanceOf(error, RedisLimiterUnavailable)
        assert.match(
          (error as RedisLimiterUnavailable).message,
          /"nobody": take failed: no reply from Redis within 300 ms/
        )
        const stats = yield* Effect.exit(limiter.stats)
        assert.isTrue(Exit.isFailure(stats))
      }).pipe(Effect.scoped))
  })
})
