/**
 * The concurrency limiter's scripts when Redis evicted one of its keys alone (a `maxmemory`
 * policy): the line goes on. (Failed before the fix: with `…:leases:waiters` gone, handing a permit
 * to the head called ZADD with no score, and every script of the limiter failed until a waiter's poll registered it again.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { zcard } from "./faults.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

describe("RedisConcurrencyLimiter: a key evicted alone", { concurrent: false }, () => {
  it.live(
    "the waiters' registrations evicted: the permit a holder frees still goes to the head of the line",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("evicted")
        const redis = yield* client
        const keys = lineKeys(name)
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: "30 seconds" // its waiters poll every 10 s: the release alone lets the head in
        })
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(limiter(Deferred.await(gate)))
        yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
        const waiter = yield* Effect.forkChild(limiter(Effect.succeed("ran")))
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 1))
        yield* Effect.promise(() => redis.del(keys.waiters)) // evicted, the line kept
        yield* Deferred.succeed(gate, undefined)
        assert.deepStrictEqual(yield* Effect.exit(Fiber.join(holder)), Exit.void)
        const exit = yield* Fiber.await(waiter).pipe(Effect.timeoutOption("3 seconds"))
        assert.deepStrictEqual(exit, Option.some(Exit.succeed("ran")), "the head waited for its poll")
        assert.strictEqual(yield* limiter.inside, 0)
      })),
    20_000
  )
})
