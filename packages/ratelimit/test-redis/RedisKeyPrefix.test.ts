/**
 * Limiters on a connection given with ioredis's `keyPrefix`: the scripts' keys are prefixed, and
 * so is the channel they publish on (`KEYS[1] .. ":wake"`), though ioredis prefixes no channel a
 * client subscribes to. The limiters subscribe to the prefixed channel: wake-ups and resizes are
 * heard at once. (From a review: both tests failed before the fix — a waiter was woken only by its
 * fallback poll, a resize was never heard.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, eventually, freshName, prefix, url } from "./redis.js"

const keyPrefix = "fiberkit-test-kp:"

/** A limiter name whose keys, under `keyPrefix`, are deleted when the scope closes. */
const prefixedName = (label: string) =>
  Effect.gen(function*() {
    const name = yield* freshName(label)
    const redis = yield* client
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        const keys = await redis.keys(`${keyPrefix}${prefix}:${name}:*`)
        if (keys.length > 0) await redis.del(...keys)
      }).pipe(Effect.ignore)
    )
    return name
  })

const connection = Effect.acquireRelease(
  Effect.sync(() => new Redis(url(), { keyPrefix })),
  (connection) => Effect.sync(() => connection.disconnect())
)

describe("limiters on a connection with ioredis's keyPrefix", { concurrent: false }, () => {
  it.live(
    "RedisConcurrencyLimiter: a waiter is woken by the release at once, not by its poll (10 s)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* prefixedName("keyprefix-lease")
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
        // round trip after the release"
        assert.isBelow(enteredAt - releasedAt, 2000, `woken ${enteredAt - releasedAt} ms after the release`)
      })),
    30_000
  )

  it.live(
    "RedisRateLimiter: a resize in one process is heard by another that asks Redis nothing after it",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* prefixedName("keyprefix-rate")
        const options = { name, prefix, limit: 10, interval: "1 second" } as const
        const resizing = yield* RedisRateLimiter.make({ ...options, redis: yield* connection })
        const hearing = yield* RedisRateLimiter.make({ ...options, redis: yield* connection })
        // `make` reads the stored numbers in the background: a script after it on the same
        // connection answers after it, so the read is not heard after the resize
        yield* hearing.stats
        yield* resizing.resize({ limit: 3 })
        yield* eventually(Effect.sync(() => hearing.options.limit === 3))
      })),
    30_000
  )
})
