/**
 * Regression tests (review 4; both failed before the fix): the stale-lease check at start (`LeaseLine.confirm`) against a Redis whose round trip is
 * two thirds of `leaseTime` or more (a slow link; `leaseTime` may be as short as 30 ms). README,
 * "Leases": "a lease … dated two thirds of `leaseTime` ago or more as its effect would start … is
 * renewed first; if Redis says it is gone, the request asks again". The renewal's reply is itself
 * read a round trip later, so the renewed lease is stale again: the request renews forever — it
 * never starts, never fails, and cannot be interrupted (the renewals run in the uninterruptible
 * part of the request). Meanwhile it counts neither as waiting nor as inside, so `awaitIdle` ("Waits
 * until no effect of this process is inside or waiting") returns while it is under way.
 * Deterministic: every reply of the limiter's script connection is delayed 250 ms, leaseTime 300 ms.
 * Fixed: the request starts once a renewal confirms the lease, if the lease — dated from the
 * renewal's sending — still runs as the reply is read; it renews a bounded number of times, counts
 * as waiting meanwhile, and can be interrupted then (the lease given back).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import * as Scripts from "../src/internal/redis/leaseScripts.js"
import { slowLeaseLimiter } from "./faults.js"
import { client, eventually, freshName, lineKeys } from "./redis.js"

const slowLimiter = (name: string) =>
  Effect.map(slowLeaseLimiter(name, Scripts.renew), ({ counted, limiter }) => ({ limiter, renewals: counted }))

describe(
  "RedisConcurrencyLimiter, a Redis round trip of two thirds of leaseTime",
  { concurrent: false },
  () => {
    it.live(
      "a request whose lease is stale at start ends (starts, or fails), and can be interrupted",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("review-slow-confirm")
          const { limiter, renewals } = yield* slowLimiter(name)
          const request = yield* Effect.forkChild(Effect.exit(limiter(Effect.succeed("ran"))))
          const ended = yield* Effect.timeout(Fiber.join(request), "3 seconds").pipe(Effect.option)
          // interrupted now: it should end at once (at worst after the reply it waits for)
          const interrupted = yield* Effect.timeout(Fiber.interrupt(request), "1 second").pipe(Effect.option)
          assert.isTrue(
            Option.isSome(ended),
            `the request neither started nor failed within 3 s (${renewals.sent} renewals of a lease it never uses)`
          )
          assert.isTrue(Option.isSome(interrupted), "the request cannot be interrupted")
        })),
      20_000
    )

    it.live(
      "awaitIdle does not return while a request is between its try and its start",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("review-slow-idle")
          const { limiter } = yield* slowLimiter(name)
          const request = yield* Effect.forkChild(Effect.exit(limiter(Effect.succeed("ran"))))
          // its try's reply is read at 250 ms: its lease is stale, renewed first — and again, each reply a round trip later
          let idleWhileUnderWay = 0
          for (let i = 0; i < 20; i++) {
            yield* Effect.sleep("100 millis")
            const idle = yield* Effect.timeout(limiter.awaitIdle, "20 millis").pipe(Effect.option)
            if (Option.isSome(idle) && request.pollUnsafe() === undefined) {
              idleWhileUnderWay++
            }
          }
          yield* Fiber.interrupt(request).pipe(Effect.timeout("1 second"), Effect.ignore)
          assert.strictEqual(idleWhileUnderWay, 0, "awaitIdle returned while the request was under way")
        })),
      20_000
    )

    it.live(
      "a request interrupted while it renews its stale lease ends at once, the lease given back",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const redis = yield* client
          const name = yield* freshName("slow-confirm-interrupted")
          const { limiter, renewals } = yield* slowLimiter(name)
          const request = yield* Effect.forkChild(Effect.exit(limiter(Effect.never)))
          // its try's reply is read at 250 ms, its lease stale: the renewal is on its way until 500 ms
          yield* eventually(Effect.sync(() => renewals.sent === 1))
          const interrupted = yield* Effect.timeout(Fiber.interrupt(request), "100 millis").pipe(Effect.option)
          assert.isTrue(Option.isSome(interrupted), "the request cannot be interrupted while it renews")
          yield* eventually(
            Effect.map(Effect.promise(() => redis.zcard(lineKeys(name).leases)), (held) => held === 0),
            3000
          )
          const idle = yield* Effect.timeout(limiter.awaitIdle, "1 second").pipe(Effect.option)
          assert.isTrue(Option.isSome(idle))
        })),
      20_000
    )
  }
)
