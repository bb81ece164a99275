/**
 * Requests of the concurrency and rate limiters on Redis while something is in flight: a holder
 * whose release meets a dropped connection, tries on their way to Redis counted against
 * `maxPending`, and the limiter's scope closed under a try. (From the second review: each test
 * failed before its fix.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Scope } from "effect"
import { PendingLimitExceeded } from "../src/Errors.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { connections, errorOf, zcard } from "./faults.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

describe("the limiters on Redis: requests in flight", { concurrent: false }, () => {
  it.live(
    "a holder whose effect ends while its connection is down: the lease is given back once Redis answers again",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("releaseblip")
        const redis = yield* client
        const keys = lineKeys(name)
        const before = new Set((yield* connections(redis)).map((c) => c.id))
        const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
        yield* Effect.sleep("100 millis") // the background read of `make` has run: its connection's last command is a script
        const scripts = (yield* connections(redis)).filter((c) => !before.has(c.id) && c.cmd?.startsWith("eval"))
        assert.strictEqual(scripts.length, 1)
        yield* limiter(Effect.gen(function*() {
          // a blip: the limiter's connection drops while the effect runs (ioredis reconnects it in 100 ms)
          yield* Effect.promise(() => redis.client("KILL", "ID", scripts[0]!.id!))
          yield* Effect.sleep("20 millis")
        }))
        // README: "the lease is released when the effect ends, whether it succeeds, fails or is
        // interrupted" — the connection is back within a second; the permit should not stay taken
        // for the rest of the 10 s lease, holding up every process's waiters
        yield* Effect.sleep("1 second")
        assert.strictEqual(yield* limiter.inside, 0, "the ended holder's lease is still in Redis")
        assert.strictEqual(yield* zcard(redis, keys.leases), 0)
      })),
    20_000
  )

  it.live(
    "onFull dropOldest: two requests arriving together over maxPending 1 — the older is dropped, the newer waits",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("dropoldest")
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "30 seconds" } as const
        const holderLimiter = yield* RedisConcurrencyLimiter.make(options)
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holderLimiter(Deferred.await(gate)))
        yield* eventually(Effect.map(holderLimiter.inside, (n) => n === 1))
        const limiter = yield* RedisConcurrencyLimiter.make({ ...options, maxPending: 1, onFull: "dropOldest" })
        // the first one arrives, then the second, before Redis has answered the first
        const older = yield* Effect.forkChild(limiter(Effect.succeed("older")), { startImmediately: true })
        const newer = yield* Effect.forkChild(limiter(Effect.succeed("newer")), { startImmediately: true })
        const olderExit = yield* Fiber.await(older).pipe(Effect.timeoutOption("1 second"))
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        const newerExit = yield* Effect.exit(Fiber.join(newer))
        // JSDoc (Options.onFull): "dropOldest: drop this process's longest waiter": the newcomer
        // is never the one refused while an older request of this process waits
        const dropped = Option.isSome(olderExit) ? errorOf(olderExit.value) : undefined
        const refused = errorOf(newerExit) as PendingLimitExceeded | undefined
        assert.isUndefined(refused, `the newer request was refused: ${JSON.stringify(refused)}`)
        assert.deepStrictEqual(newerExit, Exit.succeed("newer"))
        assert.instanceOf(dropped, PendingLimitExceeded, `the older request: ${String(olderExit)}`)
      })),
    20_000
  )

  it.live(
    "maxPending 1, two requests arriving together while a permit is free: one enters, the other waits — not refused",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("reserved")
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: "30 seconds",
          maxPending: 1
        })
        const gate = yield* Deferred.make<void>()
        // nobody is inside: the first takes the free permit, the second is then the only waiter
        const first = yield* Effect.forkChild(limiter(Deferred.await(gate)), { startImmediately: true })
        const second = yield* Effect.forkChild(limiter(Effect.succeed("second")), { startImmediately: true })
        yield* Effect.sleep("500 millis")
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(first)
        const exit = yield* Effect.exit(Fiber.join(second))
        // JSDoc (Options.maxPending via ConcurrencyLimiter): the most requests waiting in this process —
        // one waiting is within a bound of 1; README: "A request refused ... fails PendingLimitExceeded"
        // only when the bound is reached
        const refused = errorOf(exit) as PendingLimitExceeded | undefined
        assert.isUndefined(refused, `refused with nobody else waiting: ${JSON.stringify(refused)}`)
        assert.deepStrictEqual(exit, Exit.succeed("second"))
      })),
    20_000
  )

  it.live(
    "the limiter's scope closed while a request's first try is on its way to Redis: the request fails, it does not wait forever",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("closetry")
        const redis = yield* client
        const keys = lineKeys(name)
        const options = { name, prefix, url: url(), concurrency: 1, leaseTime: "3 seconds" } as const
        const holderLimiter = yield* RedisConcurrencyLimiter.make(options)
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(holderLimiter(Deferred.await(gate)))
        yield* eventually(Effect.map(holderLimiter.inside, (n) => n === 1))

        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisConcurrencyLimiter.make(options))
        // the request (outside the limiter's scope) sends its try; the scope closes before the reply
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        assert.strictEqual(yield* limiter.waiting, 1)
        yield* Scope.close(scope, Exit.void)
        // JSDoc (make, internal): "When the limiter's scope closes: its waiters fail, their registrations
        // given back" — a request whose try was on its way is waiting too (`waiting` counts it)
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption("5 seconds"))
        const registered = yield* zcard(redis, keys.line)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        assert.isTrue(Option.isSome(exit), `still waiting 5 s after the scope closed (line in Redis: ${registered})`)
        assert.isTrue(Exit.isFailure(Option.getOrThrow(exit)))
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter: the scope closed while a request's first try is on its way: the request fails, it does not wait forever",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("rateclosetry")
        const options = { name, prefix, url: url(), limit: 1, interval: "2 seconds" } as const
        const first = yield* RedisRateLimiter.make(options)
        yield* first.take() // the limit is reached for 2 s

        const scope = yield* Scope.make()
        const limiter = yield* Scope.provide(scope)(RedisRateLimiter.make(options))
        const request = yield* Effect.forkChild(limiter(Effect.succeed("ran")), { startImmediately: true })
        yield* Scope.close(scope, Exit.void)
        // JSDoc (RateLine.close): "When the limiter's scope closes: its waiting requests fail" — the
        // request never heard back; 5 s is more than twice the interval
        const exit = yield* Fiber.await(request).pipe(Effect.timeoutOption("5 seconds"))
        assert.isTrue(Option.isSome(exit), "still waiting 5 s after the scope closed")
        assert.isTrue(Exit.isFailure(Option.getOrThrow(exit)))
      })),
    20_000
  )
})
