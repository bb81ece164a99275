/**
 * Steering the rate limiter on Redis, as the local one is steered: `pause`, `drain` and `resize`
 * shared by every process of the limit (through Redis; a resize also published), priorities in
 * this process's line, and `maxPending` with `onFull` (per process).
 */
import { assert, describe, it } from "@effect/vitest"
import type { RateLimiter } from "@fiberkit/ratelimit"
import { Cause, Duration, Effect, Exit, Fiber, Option } from "effect"
import { PendingLimitExceeded } from "../src/Errors.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { eventually, freshName, prefix, url } from "./redis.js"

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

const limiterOf = (
  name: string,
  algorithm: RateLimiter.RateLimiter.Algorithm,
  extra: Partial<RedisRateLimiter.Options> = {}
) => RedisRateLimiter.make({ name, prefix, url: url(), limit: 1, interval: "10 seconds", algorithm, ...extra })

const algorithms = ["sliding-window", "token-bucket", "gcra"] as const

describe("RedisRateLimiter: pause, drain, resize, priorities, maxPending", { concurrent: false }, () => {
  it.live("a pause asked in one process holds every process; stats.pausedFor tells it everywhere", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("pause")
      const one = yield* limiterOf(name, "sliding-window", { limit: 100, interval: "1 second" })
      const other = yield* limiterOf(name, "sliding-window", { limit: 100, interval: "1 second" })
      const pausedAt = Date.now()
      yield* one.pause("600 millis")
      const pausedFor = (yield* other.stats).pausedFor
      assert.isAbove(pausedFor, 400)
      assert.isAtMost(pausedFor, 600)
      // a shorter pause later changes nothing
      yield* other.pause("10 millis")
      assert.isAbove((yield* one.stats).pausedFor, 300)
      const startedAt = yield* other(Effect.sync(() => Date.now()))
      assert.isAtLeast(startedAt - pausedAt, 600 - 20)
      assert.isBelow(startedAt - pausedAt, 600 + 1000)
      assert.strictEqual((yield* one.stats).pausedFor, 0)
      // a pause consumes no capacity
      assert.strictEqual((yield* one.stats).available, 99)
    })))

  it.live("a pause that is not a finite duration ≥ 0 is a defect", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* limiterOf(yield* freshName("badpause"), "gcra")
      assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.pause(-1))))
      assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.pause(Duration.infinity))))
    })))

  for (const algorithm of algorithms) {
    it.live(`${algorithm}: a drain in one process empties the capacity for every process`, () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName(`drain-${algorithm}`)
        const options = { limit: 4, ...(algorithm === "sliding-window" ? {} : { burst: 4 }) }
        const one = yield* limiterOf(name, algorithm, options)
        const other = yield* limiterOf(name, algorithm, options)
        yield* one.take()
        yield* one.drain
        const stats = yield* other.stats
        assert.deepStrictEqual({ available: stats.available, usage: stats.usage }, { available: 0, usage: 4 })
        assert.strictEqual((yield* one.stats).granted, 1) // a drain is not a start
        const waiter = yield* Effect.forkChild(other.take())
        yield* Effect.sleep("200 millis")
        assert.isUndefined(waiter.pollUnsafe())
        yield* Fiber.interrupt(waiter)
      })))

    it.live(`${algorithm}: a resize in one process lets another's waiter start now, by the new numbers`, () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName(`resize-${algorithm}`)
        const one = yield* limiterOf(name, algorithm)
        const other = yield* limiterOf(name, algorithm)
        yield* other.take()
        // by the old numbers it would start 10 s from now
        const waiter = yield* Effect.forkChild(other(Effect.sync(() => Date.now())))
        yield* eventually(Effect.map(other.stats, (stats) => stats.waiting === 1))
        yield* Effect.sleep("200 millis")
        const resizedAt = Date.now()
        yield* one.resize({ limit: 100 }) // a start per 100 ms at most, for each algorithm
        const startedAt = yield* Fiber.join(waiter)
        assert.isBelow(startedAt - resizedAt, 1500)
        assert.strictEqual(one.options.limit, 100)
        yield* eventually(Effect.sync(() => other.options.limit === 100))
        // a limiter made later with the old option works by the stored numbers
        const later = yield* limiterOf(name, algorithm)
        yield* later.stats
        assert.strictEqual(later.options.limit, 100)
      })))
  }

  it.live("resize checks the numbers as make does: InvalidOptions, and nothing changes", () =>
    Effect.scoped(Effect.gen(function*() {
      const sliding = yield* limiterOf(yield* freshName("badresize"), "sliding-window")
      const bucket = yield* limiterOf(yield* freshName("badresize"), "token-bucket")
      const cases = [
        [sliding, { limit: 0 }, "limit"],
        [sliding, { interval: "1.5 millis" }, "interval"],
        [sliding, { burst: 2 }, "burst"],
        [bucket, { burst: 0 }, "burst"]
      ] as const
      for (const [limiter, sizes, field] of cases) {
        const error = errorOf(yield* Effect.exit(limiter.resize(sizes))) as { _tag: string; field: string }
        assert.deepStrictEqual({ tag: error._tag, field: error.field }, { tag: "InvalidOptions", field })
      }
      assert.strictEqual(sliding.options.limit, 1)
      assert.strictEqual(bucket.options.burst, 1)
    })))

  it.live(
    "priorities in this process's line: higher first, equal ones in order of arrival",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const limiter = yield* limiterOf(yield* freshName("priorities"), "sliding-window", { interval: "300 millis" })
        yield* limiter.take()
        const order: Array<string> = []
        const fibers: Array<Fiber.Fiber<void, unknown>> = []
        for (const [label, priority] of [["a", 0], ["b", 0], ["c", 5], ["d", 1], ["e", 5]] as const) {
          fibers.push(
            yield* Effect.forkChild(limiter.withPriority(priority)(Effect.sync(() => void order.push(label))))
          )
          yield* eventually(Effect.map(limiter.stats, (stats) => stats.waiting === fibers.length))
        }
        yield* Fiber.joinAll(fibers)
        assert.deepStrictEqual(order, ["c", "e", "d", "a", "b"])
        assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.withPriority(Number.NaN)(Effect.void))))
      })),
    10_000
  )

  it.live("maxPending with onFull \"fail\" refuses the newcomer; \"dropOldest\" drops this process's longest waiter", () =>
    Effect.scoped(Effect.gen(function*() {
      const refusing = yield* limiterOf(yield* freshName("fail"), "gcra", { maxPending: 1 })
      yield* refusing.take()
      const waiting = yield* Effect.forkChild(refusing.take())
      yield* eventually(Effect.map(refusing.stats, (stats) => stats.waiting === 1))
      const refused = errorOf(yield* Effect.exit(refusing(Effect.void)))
      assert.instanceOf(refused, PendingLimitExceeded)
      assert.isFalse((refused as PendingLimitExceeded).dropped)
      yield* Fiber.interrupt(waiting)

      const dropping = yield* limiterOf(yield* freshName("dropoldest"), "gcra", { maxPending: 1, onFull: "dropOldest" })
      yield* dropping.take()
      const oldest = yield* Effect.forkChild(dropping.take())
      yield* eventually(Effect.map(dropping.stats, (stats) => stats.waiting === 1))
      const newest = yield* Effect.forkChild(dropping.take())
      const dropped = errorOf(yield* Fiber.await(oldest))
      assert.instanceOf(dropped, PendingLimitExceeded)
      assert.isTrue((dropped as PendingLimitExceeded).dropped)
      assert.strictEqual((yield* dropping.stats).waiting, 1)
      yield* Fiber.interrupt(newest)

      const never = yield* limiterOf(yield* freshName("zero"), "gcra", { maxPending: 0 })
      yield* never.take()
      assert.instanceOf(errorOf(yield* Effect.exit(never.take())), PendingLimitExceeded)
    })))

  it.live("invalid maxPending or onFull fail make with InvalidOptions", () =>
    Effect.gen(function*() {
      for (const options of [{ maxPending: 1.5 }, { onFull: "wait" as "fail" }]) {
        const error = errorOf(yield* Effect.exit(Effect.scoped(limiterOf("invalid", "gcra", options)))) as {
          _tag: string
          field: string
        }
        assert.deepStrictEqual({ tag: error._tag, field: error.field }, {
          tag: "InvalidOptions",
          field: Object.keys(options)[0]
        })
      }
    }))
})
