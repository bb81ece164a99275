/**
 * Review 8 (failing tests): `awaitIdle` returns while an effect of this process is about to run.
 *
 * JSDoc of `DistributedConcurrencyLimiter.awaitIdle`: "Waits until no effect of this process is
 * inside or waiting." README (Leases): "While it renews, the request counts as waiting (`waiting`,
 * `awaitIdle`)".
 *
 * `LeaseLine` wakes the watchers (`watchers.check()`, synchronous) as a request stops counting as
 * waiting — its try's reply read (`tried`), or its grant heard in line (`forget`) — but the request
 * counts as inside only later (`line.holders++` in `inside`, after `line.acquire` returns). A watcher
 * already registered by `awaitIdle` sees `holders === 0 && waiting === 0` in between and returns,
 * though the effect then runs. (An `awaitIdle` that polls from outside never sees the window: the
 * earlier regression test polls; these register the watcher first.)
 *
 * Deterministic: the watcher is registered before the reply (or the grant) arrives.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { heldPermit, slowConnection } from "./faults.js"
import { eventually, freshName, prefix, url } from "./redis.js"

describe(
  "RedisConcurrencyLimiter (review 8): awaitIdle while a request becomes a holder",
  { concurrent: false },
  () => {
    it.live(
      "awaitIdle waiting while a request's try is on its way does not return once the try took a lease",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("review8-idle-try")
          // the try's reply is read 150 ms after it is sent: meanwhile the request counts as waiting
          const own = yield* slowConnection(150)
          const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, redis: own, concurrency: 1 })
          yield* Effect.sleep("400 millis") // the background read of the stored limit has answered
          const gate = yield* Deferred.make<void>()
          const request = yield* Effect.forkChild(limiter(Deferred.await(gate)))
          yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
          const idle = yield* Effect.forkChild(limiter.awaitIdle)
          // the try takes the free permit; its effect runs until the gate opens
          yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
          yield* Effect.sleep("50 millis")
          const returnedWhileInside = idle.pollUnsafe() !== undefined
          yield* Deferred.succeed(gate, undefined)
          yield* Fiber.join(request)
          yield* Fiber.join(idle)
          assert.isFalse(returnedWhileInside, "awaitIdle returned while this process's effect was inside")
        })),
      20_000
    )

    it.live(
      "awaitIdle waiting while a request waits in line does not return once the request is granted",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("review8-idle-grant")
          // another process holds the only permit
          const { gate: holderGate, holder } = yield* heldPermit(name)
          const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
          const gate = yield* Deferred.make<void>()
          const entered = yield* Deferred.make<void>()
          const request = yield* Effect.forkChild(
            limiter(Effect.andThen(Deferred.succeed(entered, undefined), Deferred.await(gate)))
          )
          yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
          yield* Effect.sleep("50 millis") // registered in line, the try's reply read
          const idle = yield* Effect.forkChild(limiter.awaitIdle)
          yield* Effect.sleep("20 millis")
          assert.isUndefined(idle.pollUnsafe(), "awaitIdle returned while a request waited")
          // the other process leaves: the permit is handed to this process's waiter, which enters
          yield* Deferred.succeed(holderGate, undefined)
          yield* Fiber.join(holder)
          yield* Deferred.await(entered)
          yield* Effect.sleep("50 millis")
          const returnedWhileInside = idle.pollUnsafe() !== undefined
          yield* Deferred.succeed(gate, undefined)
          yield* Fiber.join(request)
          yield* Fiber.join(idle)
          assert.isFalse(returnedWhileInside, "awaitIdle returned while this process's effect was inside")
        })),
      20_000
    )
  }
)
