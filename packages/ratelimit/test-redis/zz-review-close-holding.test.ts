/**
 * Review: the limiter's scope closed while one of its effects holds a permit (the effect runs
 * outside the scope). README, "Leases": "the lease is released when the effect ends, whether it
 * succeeds, fails or is interrupted — if Redis cannot be asked then (a connection blip), the
 * release is tried again every 50 ms in the background until Redis answers or the lease would have
 * expired anyway". After close the limiter's connection is gone, its release is not tried at all,
 * and the permit stays taken, for every process, until the lease expires.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { eventually, freshName, prefix, url } from "./redis.js"

describe("review: scope closed under a holder", { concurrent: false }, () => {
  it.live(
    "a holder that ends after its limiter's scope closed gives its permit back (not after its 30 s lease)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("review-close-holding")
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" } as const
        const other = yield* RedisConcurrencyLimiter.make(options)
        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisConcurrencyLimiter.make(options))
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(Effect.exit(limiter(Deferred.await(gate))))
        yield* eventually(Effect.map(other.inside, (n) => n === 1))
        yield* Scope.close(scope, Exit.void)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        // the holder ended: another process's request should get the permit
        const next = yield* Effect.exit(Effect.timeout(other(Effect.succeed("in")), "3 seconds"))
        assert.deepStrictEqual(next, Exit.succeed("in"), "the permit is still held 3 s after its holder ended")
      })),
    20_000
  )
})
