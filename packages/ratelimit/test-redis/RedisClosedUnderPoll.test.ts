/**
 * Regression test (review 4; failed before the fix): the limiter's scope closes while its process's poll is on its way, and Redis's script
 * cache is empty (a restart or failover). README: "no `EVAL` is sent for a command its caller gave
 * up on", and "The limiter's scope closed. Its waiters fail `RedisLimiterUnavailable`, their
 * registrations given back". The poll's fiber (`line.loop`) is interrupted as the scope closes:
 * `Connection.run` only marks a command abandoned when it settles (a reply or its timeout), not
 * when its caller is interrupted — so the poll's `EVAL` is still sent after its `NOSCRIPT`, runs
 * after the waiter's withdrawal (whose script is cached), and registers the waiter again. The
 * poll's reply, which would have withdrawn it once more, is never read (its fiber is gone).
 * Fixed: after `NOSCRIPT`, the poll's `EVAL` names only the waiters still waiting then; a
 * command whose caller is interrupted is given up (no `EVAL` follows).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scope } from "effect"
import { waiterUnderNoscriptPoll } from "./faults.js"

describe("RedisConcurrencyLimiter's scope closed while its poll is on its way (NOSCRIPT)", {
  concurrent: false
}, () => {
  it.live(
    "the waiter failed by the scope's close is not registered again by the poll's EVAL",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const scope = yield* Scope.make()
        const { gate, holder, holding, redis, keys, waiter } = yield* waiterUnderNoscriptPoll("closed-poll", 50, scope)
        // the scope closes while the poll's EVALSHA is on its way (its NOSCRIPT comes back in 50 ms)
        yield* Scope.close(scope, Exit.void)
        const failed = yield* Fiber.await(waiter)
        assert.isTrue(Exit.isFailure(failed), "the waiter fails as the scope closes")
        yield* Effect.sleep("600 millis")
        const line = yield* Effect.promise(() => redis.zrange(keys.line, "0", "-1"))
        const ids = yield* Effect.promise(() => redis.hlen(`${keys.leases}:ids`))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        const next = yield* Effect.exit(Effect.timeout(holding(Effect.succeed("in")), "2 seconds"))
        assert.deepStrictEqual(line, [], "the failed waiter is registered again in Redis's line")
        assert.strictEqual(ids, 0, "the failed waiter's request id is left in the ids hash")
        assert.deepStrictEqual(next, Exit.succeed("in"), "the freed permit went to the closed limiter's waiter")
      })),
    20_000
  )
})
