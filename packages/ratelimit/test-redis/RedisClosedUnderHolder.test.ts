/**
 * The limiter's scope closed while one of its effects holds a permit (the effect runs outside the
 * scope). README, "Leases": "the lease is released when the effect ends, whether it succeeds, fails
 * or is interrupted"; "The limiter's scope closed": the connection it opened stays open until the
 * requests it admitted have ended and given back what they took, then is closed.
 *
 * Failed before the fix (found by a review): the connection was closed with the scope, the release
 * was not tried at all, and the permit stayed taken, for every process, until the lease expired.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { client, eventually, freshName, prefix, url } from "./redis.js"

describe("RedisConcurrencyLimiter: the scope closed under a holder", { concurrent: false }, () => {
  it.live(
    "a holder that ends after its limiter's scope closed gives its permit back (not after its 30 s lease)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("closed-holding")
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" } as const
        const other = yield* RedisConcurrencyLimiter.make(options)
        // the closed limiter's own connection, named so `CLIENT LIST` shows whether it is still open
        const named = new URL(url())
        named.searchParams.set("connectionName", `closed-holding-${crypto.randomUUID()}`)
        const redis = yield* client
        const open = Effect.map(
          Effect.promise(() => redis.call("CLIENT", "LIST", "TYPE", "normal")),
          (list) => String(list).includes(`name=${named.searchParams.get("connectionName")} `)
        )
        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisConcurrencyLimiter.make({ ...options, url: named.toString() }))
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(Effect.exit(limiter(Deferred.await(gate))))
        yield* eventually(Effect.map(other.inside, (n) => n === 1))
        yield* Scope.close(scope, Exit.void)
        assert.isTrue(yield* open, "the connection was closed under its holder")
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        // the holder ended: another process's request should get the permit
        const next = yield* Effect.exit(Effect.timeout(other(Effect.succeed("in")), "3 seconds"))
        assert.deepStrictEqual(next, Exit.succeed("in"), "the permit is still held 3 s after its holder ended")
        // and the connection, needed no more, is closed
        yield* eventually(Effect.map(open, (isOpen) => !isOpen))
      })),
    20_000
  )
})
