/**
 * Regression test (review 4; failed before the fix): a waiter granted, and done, while its process's poll is on its way, with Redis's script
 * cache empty (a restart or failover). README: "the scripts of a process are written so that
 * order does not matter: a waiter that leaves while its process's poll is on its way is withdrawn
 * again once the poll has run (the poll registers its waiters again, at their place, if they had
 * expired)". The fix covers a waiter that was withdrawn; a waiter that was *granted* by a message
 * while the poll was on its way, ran and released its lease (the release's script cached, so it
 * runs before the poll's `EVAL`), is registered again by the poll's `EVAL` — the poll re-adds
 * every member it names that holds no lease — and nobody gives it back: the line is held up, or
 * the next permit handed to that registration, held by nobody until the lease expires.
 * Fixed: after `NOSCRIPT`, the poll's `EVAL` names only the waiters still waiting then; a
 * command whose caller is interrupted is given up (no `EVAL` follows).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { waiterUnderNoscriptPoll } from "./faults.js"

describe("RedisConcurrencyLimiter, a waiter granted while its process's poll is on its way (NOSCRIPT)", {
  concurrent: false
}, () => {
  it.live(
    "the waiter that entered and released is not registered again by the poll's EVAL",
    () =>
      Effect.scoped(Effect.gen(function*() {
        // the waiter's process: replies on its script connection delayed 100 ms, its subscriber not
        const { gate, holder, holding, redis, keys, waiter } = yield* waiterUnderNoscriptPoll("granted-poll", 100)
        // while the poll's EVALSHA is on its way: the holder leaves, the waiter is granted by message,
        // runs, and releases (its release's script is cached: it runs before the poll's EVAL)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        assert.strictEqual(yield* Fiber.join(waiter), "ran")
        yield* Effect.sleep("600 millis")
        const line = yield* Effect.promise(() => redis.zrange(keys.line, "0", "-1"))
        const leases = yield* Effect.promise(() => redis.zrange(keys.leases, "0", "-1"))
        const next = yield* Effect.exit(Effect.timeout(holding(Effect.succeed("in")), "2 seconds"))
        assert.deepStrictEqual([...line, ...leases], [], "the waiter that left is registered (or holds a lease) again")
        assert.deepStrictEqual(next, Exit.succeed("in"), "the free permit went to a registration nobody holds")
      })),
    20_000
  )
})
