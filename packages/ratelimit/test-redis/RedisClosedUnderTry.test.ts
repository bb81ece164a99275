/**
 * The limiter's scope closed while a request's first try is on its way to Redis. README, "The
 * limiter's scope closed": "so does a request whose first try was on its way to Redis then, when
 * the reply comes (a lease or registration it took is given back …)". The request fails, and what
 * its try took is given back over the connection the limiter opened, which stays open until then —
 * not left in Redis for the whole lease (30 s here), a registration holding up every process's
 * line, a lease holding a permit nobody uses.
 *
 * Both tests failed before the fix (found by a review: the give-back stopped at once, the
 * connection having been closed with the scope).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

describe("RedisConcurrencyLimiter: the scope closed under a try", { concurrent: false }, () => {
  it.live(
    "the try registered in the line: its registration is given back, not left for the lease",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("closed-try-line")
        const redis = yield* client
        const keys = lineKeys(name)
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" } as const
        const holderLimiter = yield* RedisConcurrencyLimiter.make(options)
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holderLimiter(Deferred.await(gate)))
        yield* eventually(Effect.map(holderLimiter.inside, (n) => n === 1))

        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisConcurrencyLimiter.make(options))
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        assert.strictEqual(yield* limiter.waiting, 1) // its try is on its way
        yield* Scope.close(scope, Exit.void)
        const exit = yield* Fiber.await(request)
        assert.isTrue(Exit.isFailure(exit))
        const registered = () =>
          Effect.promise(async () => (await redis.zcard(keys.line)) + (await redis.zcard(keys.waiters)))
        yield* eventually(Effect.map(registered(), (n) => n === 0), 3000).pipe(Effect.catchDefect(() => Effect.void))
        const left = yield* registered()
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        assert.strictEqual(left, 0, "the closed limiter's registration is still in Redis's line 3 s later")
        // and the line is held up by it: a newcomer of another process does not get in after the holder left
        assert.strictEqual(yield* holderLimiter.inside, 0, "the permit the holder freed went to the dead registration")
      })),
    20_000
  )

  it.live(
    "the try took a free permit: its lease is given back, not left for the lease time",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("closed-try-lease")
        const redis = yield* client
        const keys = lineKeys(name)
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" } as const
        const other = yield* RedisConcurrencyLimiter.make(options)
        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisConcurrencyLimiter.make(options))
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        assert.strictEqual(yield* limiter.waiting, 1)
        yield* Scope.close(scope, Exit.void)
        const exit = yield* Fiber.await(request)
        assert.isTrue(Exit.isFailure(exit), "the request ran after its limiter's scope closed")
        yield* eventually(Effect.map(Effect.promise(() => redis.zcard(keys.leases)), (n) => n === 0), 3000).pipe(
          Effect.catchDefect(() => Effect.void)
        )
        assert.strictEqual(yield* other.inside, 0, "the lease the closed limiter's try took is still held 3 s later")
      })),
    20_000
  )
})
