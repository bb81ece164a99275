/**
 * Review-8 regression tests (they failed before the fix): `awaitIdle` and `awaitSizeBelow` return
 * in no gap between two steps of a request.
 *
 * JSDoc of `DistributedConcurrencyLimiter.awaitIdle`: "Waits until no effect of this process is
 * inside or waiting." README (Leases): "While it renews, the request counts as waiting (`waiting`,
 * `awaitIdle`)".
 *
 * `LeaseLine` woke the watchers (`watchers.check()`, synchronous) as a request stopped counting in
 * one step — its try's reply read, its grant heard in line — before it counted in the next: inside
 * (`holders++` after `line.acquire` returned), in line (its registration pushed), or renewing a
 * stale lease (`StaleLeases.count`). A watcher already registered saw the request nowhere and
 * returned. Now a request counts as waiting from its start until it is let in, and as inside from
 * that same step (`Occupancy`). (An `awaitIdle` that polls from outside never sees the gap: these
 * register the watcher first.)
 *
 * Deterministic: the watcher is registered before the reply (or the grant) arrives.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { heldPermit, slowConnection } from "./faults.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

/** A limiter of concurrency 1 whose replies are read `millis` late, once it has read the stored limit. */
const slowLimiter = (name: string, millis: number, leaseTime?: Duration.Input) =>
  Effect.gen(function*() {
    const own = yield* slowConnection(millis)
    const limiter = yield* RedisConcurrencyLimiter.make({
      name,
      prefix,
      redis: own,
      concurrency: 1,
      ...(leaseTime === undefined ? {} : { leaseTime })
    })
    yield* Effect.sleep(Duration.millis(2 * millis + 100)) // the background read of the stored limit has answered
    return limiter
  })

/**
 * Whether `idle` had returned 50 ms after a request went in — then the request's effect ends
 * (`gate` opens), and both are joined.
 */
const returnedWhileInside = (
  idle: Fiber.Fiber<void, unknown>,
  gate: Deferred.Deferred<void>,
  request: Fiber.Fiber<void, unknown>
) =>
  Effect.gen(function*() {
    yield* Effect.sleep("50 millis")
    const returned = idle.pollUnsafe() !== undefined
    yield* Deferred.succeed(gate, undefined)
    yield* Fiber.join(request)
    yield* Fiber.join(idle)
    return returned
  })

describe(
  "RedisConcurrencyLimiter: awaitIdle and awaitSizeBelow while a request moves from one step to the next",
  { concurrent: false },
  () => {
    it.live(
      "awaitIdle waiting while a request's try is on its way does not return once the try took a lease",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("review8-idle-try")
          // the try's reply is read 150 ms after it is sent: meanwhile the request counts as waiting
          const limiter = yield* slowLimiter(name, 150)
          const gate = yield* Deferred.make<void>()
          const request = yield* Effect.forkChild(limiter(Deferred.await(gate)))
          yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
          const idle = yield* Effect.forkChild(limiter.awaitIdle)
          // the try takes the free permit; its effect runs until the gate opens
          yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
          assert.isFalse(
            yield* returnedWhileInside(idle, gate, request),
            "awaitIdle returned while this process's effect was inside"
          )
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
          assert.isFalse(
            yield* returnedWhileInside(idle, gate, request),
            "awaitIdle returned while this process's effect was inside"
          )
        })),
      20_000
    )
    it.live(
      "awaitSizeBelow(1) waiting while a request's try is on its way does not return once the try registers it in line",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("idle-gap-register")
          const redis = yield* client
          const { gate: holderGate, holder } = yield* heldPermit(name)
          // the try's reply is read 150 ms after it is sent: it registers the request in line
          const limiter = yield* slowLimiter(name, 150)
          const request = yield* Effect.forkChild(limiter(Effect.void))
          yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
          // what `waiting` says as awaitSizeBelow returns
          const below = yield* Effect.forkChild(Effect.andThen(limiter.awaitSizeBelow(1), limiter.waiting))
          yield* eventually(
            Effect.map(Effect.promise(() => redis.zcard(lineKeys(name).line)), (n) => n === 1),
            1000
          )
          yield* Effect.sleep("250 millis") // the reply registering it read
          assert.isUndefined(below.pollUnsafe(), "awaitSizeBelow(1) returned while the request waited in line")
          assert.strictEqual(yield* limiter.waiting, 1)
          yield* Deferred.succeed(holderGate, undefined)
          yield* Fiber.join(holder)
          yield* Fiber.join(request)
          assert.strictEqual(yield* Fiber.join(below), 0)
        })),
      20_000
    )

    it.live(
      "awaitSizeBelow(1) waiting while a try is on its way does not return when its lease, read stale, is renewed first",
      () =>
        Effect.scoped(Effect.gen(function*() {
          const name = yield* freshName("idle-gap-stale")
          // each reply is read 450 ms after it is sent: the try's lease (600 ms) is read two thirds
          // of a lease old — stale — and renewed before the request starts (still waiting)
          const limiter = yield* slowLimiter(name, 450, "600 millis")
          const request = yield* Effect.forkChild(Effect.exit(limiter(Effect.void)))
          yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
          // what `waiting` says as awaitSizeBelow returns: not the renewal still on its way
          const below = yield* Effect.forkChild(Effect.andThen(limiter.awaitSizeBelow(1), limiter.waiting))
          yield* Fiber.join(request) // its holder may lose the lease (renewals as slow): not what is tested
          assert.strictEqual(
            yield* Fiber.join(below),
            0,
            "awaitSizeBelow(1) returned while the request renewed its lease"
          )
        })),
      20_000
    )
  }
)
