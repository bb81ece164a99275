/**
 * The fallback to `EVAL` after `NOSCRIPT` reorders a process's scripts. After a restart or a
 * failover, Redis's script cache is empty: a script goes `EVALSHA` → `NOSCRIPT` → `EVAL`, the
 * `EVAL` sent only when the `NOSCRIPT` reply is back, and a script sent in between (a waiter's
 * withdrawal, whose script is cached already) runs before it. The poll (`heartbeat`), which
 * registers again "at their place" the waiters it names, then registered a waiter that had left:
 * the permit freed next went to it, held by nobody. README: "Interrupting a waiter withdraws its
 * registration … in the background, tried until Redis answers". A waiter that leaves while a poll
 * naming it is on its way is now withdrawn again once the poll's reply is back.
 *
 * Failed before the fix (found by a review). It flushes Redis's script cache: the other tests
 * running beside it take the `EVAL` fallback too, which they handle.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { Connection } from "../src/internal/redis/connection.js"
import { Script } from "../src/internal/redis/scripts.js"
import { slowConnection, waiterUnderNoscriptPoll } from "./faults.js"
import { freshName } from "./redis.js"

describe("RedisConcurrencyLimiter: the script cache flushed (NOSCRIPT)", { concurrent: false }, () => {
  it.live(
    "a waiter interrupted while its process's poll is on its way (script cache empty) stays withdrawn",
    () =>
      Effect.scoped(Effect.gen(function*() {
        // the waiter's process talks to Redis through a proxy that delays replies by 50 ms (a remote Redis)
        // Redis restarted / failed over: its script cache is empty — but the withdrawal's script is
        // loaded again already (another process ran it)
        const { gate, holder, holding, redis, keys, waiter } = yield* waiterUnderNoscriptPoll("noscript-order", 50)
        yield* Fiber.interrupt(waiter) // while the poll's EVALSHA is on its way (its NOSCRIPT comes back in 50 ms)
        yield* Effect.sleep("600 millis")
        const line = yield* Effect.promise(() => redis.zrange(keys.line, "0", "-1"))
        // the holder leaves: its permit should be free for the next request of any process
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        const next = yield* Effect.exit(Effect.timeout(holding(Effect.succeed("in")), "2 seconds"))
        assert.deepStrictEqual(line, [], "the interrupted waiter is registered again in Redis's line")
        assert.deepStrictEqual(
          next,
          Exit.succeed("in"),
          "the freed permit went to the interrupted waiter's registration"
        )
      })),
    20_000
  )

  it.live(
    "a command whose caller is interrupted before its NOSCRIPT is back sends no EVAL (review 4; failed before the fix)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("noscript-interrupted")
        const own = yield* slowConnection(50)
        const evals = { sent: 0 }
        const evaluate = own.eval.bind(own) as (...args: Array<unknown>) => Promise<unknown>
        ;(own as unknown as { eval: typeof evaluate }).eval = (...args) => {
          evals.sent++
          return evaluate(...args)
        }
        const connection = new Connection(own, name, 2000)
        // a script of its own: not in Redis's cache, so its EVALSHA is answered NOSCRIPT
        const answered = connection.run("test", new Script(`return 1 -- ${name}`), [], [])
        // answered: the EVAL follows the NOSCRIPT
        assert.strictEqual(yield* answered, 1)
        assert.strictEqual(evals.sent, 1)
        // interrupted while the EVALSHA is on its way: given up, its NOSCRIPT is not followed
        const interrupted = yield* Effect.forkChild(connection.run("test", new Script(`return 0 -- ${name}:2`), [], []))
        yield* Effect.sleep("10 millis")
        yield* Fiber.interrupt(interrupted)
        yield* Effect.sleep("200 millis")
        assert.strictEqual(evals.sent, 1, "an EVAL was sent for a command its caller gave up on")
      })),
    20_000
  )
})
