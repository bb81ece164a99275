/**
 * From the seventh review (failed before the fix: a second stale grant now goes in, and its start
 * renews the lease a bounded number of times): the fix of review 4 bounded the renewals of a stale lease at START
 * (`LeaseLine.confirm`), but a waiter granted IN LINE over the same slow link is still re-polled
 * for ever. README, "Leases": "Nor does an effect start on a lease that may have expired … After
 * three renewals or new tries without a lease to start on (Redis answering slower than
 * `leaseTime`) the request fails with `RedisLimiterUnavailable`, operation `"renew"`" and "A
 * waiter granted so late stays in line for its poll, sent at once, which renews the lease or puts
 * the waiter back in its place."
 *
 * With a round trip of 250 ms and `leaseTime` 300 ms, a waiter's `confirmedAt` is the sending of
 * the last poll, whose reply is read 250 ms later: every grant (by message, or in the poll's reply)
 * finds it stale (≥ 200 ms), so `granted` calls `pollNow`; the next poll's reply is stale again…
 * The waiter never starts, never fails, and each poll renews the lease handed to it — the permit
 * is held in Redis for ever by a request that never runs (every other process is blocked too).
 *
 * Deterministic: every reply of the slow limiter's script connection is delayed 250 ms.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option } from "effect"
import * as Scripts from "../src/internal/redis/leaseScripts.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { slowLeaseLimiter } from "./faults.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

const slowLimiter = (name: string) =>
  Effect.map(slowLeaseLimiter(name, Scripts.heartbeat), ({ counted, limiter }) => ({ limiter, polls: counted }))

describe("RedisConcurrencyLimiter, a waiter granted in line over a round trip of two thirds of leaseTime", {
  concurrent: false
}, () => {
  it.live(
    "the waiter ends (starts, or fails) after its grant — it does not hold the permit for ever",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const redis = yield* client
        const name = yield* freshName("review7-slow-grant")
        // a fast process holds the only permit
        const fast = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: "300 millis"
        })
        const release = yield* Deferred.make<void>()
        const entered = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(
          fast(Effect.andThen(Deferred.succeed(entered, undefined), Deferred.await(release)))
        )
        yield* Deferred.await(entered)
        // the slow process's request waits in line
        const { limiter, polls } = yield* slowLimiter(name)
        const request = yield* Effect.forkChild(Effect.exit(limiter(Effect.succeed("ran"))))
        yield* eventually(
          Effect.map(Effect.promise(() => redis.zcard(lineKeys(name).line)), (waiting) => waiting === 1),
          3000
        )
        // its try's reply is read (250 ms later): it waits in this process's line, polled every round trip
        yield* Effect.sleep("1 second")
        // the holder leaves: the permit is handed to the slow waiter
        yield* Deferred.succeed(release, undefined)
        yield* Fiber.join(holder)
        const pollsAtGrant = polls.sent
        const ended = yield* Effect.timeout(Fiber.join(request), "4 seconds").pipe(Effect.option)
        const pollsSince = polls.sent - pollsAtGrant
        const held = yield* Effect.promise(() => redis.zcard(lineKeys(name).leases))
        yield* Fiber.interrupt(request).pipe(Effect.timeout("1 second"), Effect.ignore)
        assert.isTrue(
          Option.isSome(ended),
          `4 s after its grant the request neither started nor failed: ${pollsSince} polls since, ` +
            `${held} lease(s) held in Redis for it`
        )
      })),
    20_000
  )
})
