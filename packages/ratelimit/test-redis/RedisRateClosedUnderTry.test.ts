/**
 * Review-10 regression test (it failed before the fix; Redis): a `RedisRateLimiter`'s scope closed while a request's first try is on its way,
 * and Redis answers that try `NOSCRIPT` (its script cache flushed: a restart or a failover). The
 * rate limiter, unlike the concurrency limiter, does not hold its connection while a request is
 * under way: the connection it opened is closed (`QUIT`) at once, the `EVAL` that must follow the
 * `NOSCRIPT` finds it closed, and the request fails `RedisLimiterUnavailable` ("Connection is
 * closed") — though Redis was up and the limit had room: it is neither started nor told so by Redis.
 *
 * README ("The limiter's scope closed"): "so does a request whose first try was on its way to Redis
 * then, when the reply comes (a lease or registration it took is given back; a rate start it was
 * granted stands). A connection the limiter opened (`url`) is closed with the scope only if none of
 * its requests is under way; else it stays open until the last has ended". README ("One Lua script
 * per decision"): "`EVALSHA`, then `EVAL` when Redis answers `NOSCRIPT`".
 *
 * Deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Scope } from "effect"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { errorOf } from "./faults.js"
import { client, freshName, prefix, url } from "./redis.js"

describe("RedisRateLimiter, the scope closed under a first try", { concurrent: false }, () => {
  it.live("a try answered NOSCRIPT as the scope closes gets its EVAL through, and its start stands", () =>
    Effect.scoped(Effect.gen(function*() {
      const redis = yield* client
      const name = yield* freshName("review10-rate-closed-try")
      const scope = yield* Scope.make()
      const limiter = yield* Scope.provide(scope)(
        RedisRateLimiter.make({ name, prefix, url: url(), limit: 10, interval: Duration.seconds(10) })
      )
      assert.strictEqual((yield* limiter.stats).available, 10) // make's read answered: the script was cached
      yield* Effect.promise(() => redis.script("FLUSH")) // Redis restarted: its script cache empty
      const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(request)
      const cause = (errorOf(exit) as { cause?: unknown } | undefined)?.cause
      assert.deepStrictEqual(exit, Exit.succeed("ran"), `the request failed: ${String(cause)}`)
    })))
})
