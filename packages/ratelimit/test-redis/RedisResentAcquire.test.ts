/**
 * A connection given as `redis`, with ioredis's defaults, resends the commands whose reply it lost
 * when it reconnects (`autoResendUnfulfilledCommands`). README: "A connection passed as `redis` is
 * used as it is (with ioredis's defaults it holds commands while it reconnects …)". An acquire that
 * Redis ran, whose reply was lost with the connection, runs again: it finds the registration its
 * first run made (`ids` maps the request id to it) and registers nothing — not a second
 * registration behind a first that nobody renews or withdraws, which would take the next permit
 * freed and hold it, for nobody, until its lease expired.
 *
 * Failed before the fix (found by a review: the acquire script was idempotent for a lease, not for
 * a registration).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { replyDroppingProxy } from "./faults.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

describe(
  "RedisConcurrencyLimiter: an acquire resent by ioredis after its reply was lost",
  { concurrent: false },
  () => {
    it.live(
      "the request is registered once: the permit freed goes to it, not to a registration nobody holds",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("resent-acquire")
          const redis = yield* client
          const keys = lineKeys(name)
          const direct = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
          const gate = yield* Deferred.make<void>()
          const holder = yield* Effect.forkChild(direct(Deferred.await(gate)))
          yield* eventually(Effect.map(direct.inside, (n) => n === 1))

          const proxy = yield* replyDroppingProxy
          const own = yield* Effect.acquireRelease(
            Effect.sync(() => {
              const connection = new Redis(proxy.url) // ioredis's defaults
              connection.on("error", () => {})
              return connection
            }),
            (connection) => Effect.sync(() => connection.disconnect())
          )
          const limiter = yield* RedisConcurrencyLimiter.make({
            name,
            prefix,
            redis: own,
            concurrency: 1,
            leaseTime: "10 seconds"
          })
          yield* limiter.inside // connected, the scripts loaded
          proxy.dropNextReply = true
          const waiter = yield* Effect.forkChild(Effect.exit(limiter(Effect.succeed("in"))))
          yield* Effect.sleep("1 second") // reconnected, the acquire resent and answered
          const line = yield* Effect.promise(() => redis.zrange(keys.line, "0", "-1"))
          yield* Deferred.succeed(gate, undefined)
          yield* Fiber.join(holder)
          const exit = yield* Fiber.await(waiter).pipe(Effect.timeoutOption("3 seconds"))
          assert.strictEqual(line.length, 1, `the line in Redis holds ${JSON.stringify(line)}`)
          assert.isTrue(
            exit._tag === "Some" && Exit.isExit(exit.value),
            "the waiter is not in 3 s after the permit was freed"
          )
        })),
      30_000
    )
  }
)
