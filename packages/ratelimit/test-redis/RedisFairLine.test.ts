/**
 * The concurrency limiter's line in Redis: first come, first served across processes, by priority;
 * woken by a release in another process, not by a poll; a dead waiter's registration does not stall
 * the line; an interrupted waiter leaves it; a lost wake-up (or a subscriber that dropped) is made
 * up by the fallback poll. Real processes (`fixtures/lineProcess.ts`) where it matters.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Deferred, Effect, Fiber } from "effect"
import type { Redis } from "ioredis"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { exited, startFixture } from "./processes.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

const zcard = (redis: Redis, key: string) => Effect.promise(() => redis.zcard(key))
const entered = (redis: Redis, name: string) => Effect.promise(() => redis.lrange(lineKeys(name).entered, 0, -1))

/** A limiter of concurrency 1 in this process (its own connections), and a holder of its permit until `release`. */
const heldLimit = (name: string, options: Partial<RedisConcurrencyLimiter.Options> = {}) =>
  Effect.gen(function*() {
    const limiter = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1, ...options })
    const gate = yield* Deferred.make<void>()
    const holder = yield* Effect.forkChild(limiter(Deferred.await(gate)))
    yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
    const release = Effect.andThen(Deferred.succeed(gate, undefined), Fiber.join(holder))
    return { limiter, release }
  })

describe("RedisConcurrencyLimiter: a fair line in Redis", { concurrent: false }, () => {
  it.live(
    "3 processes: higher priorities first, equal priorities in their order of arrival, across processes",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("fifo")
        const redis = yield* client
        const keys = lineKeys(name)
        const { release } = yield* heldLimit(name, { leaseTime: 3000 })
        const children = yield* Effect.all(
          [0, 1, 2].map(() => startFixture("lineProcess.ts", [url(), prefix, name, "3000", "1000"], "ready")),
          { concurrency: "unbounded" }
        )
        const arrivals = [[0, "a1", 0], [1, "b1", 0], [2, "c1", 0], [0, "a2", 5], [1, "b2", 0], [2, "c2", 5], [
          0,
          "a3",
          -1
        ], [1, "b3", 5]] as const
        for (const [i, [child, label, priority]] of arrivals.entries()) {
          children[child]!.process.stdin!.write(`enter ${label} ${priority}\n`)
          yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === i + 1))
        }
        yield* release
        yield* eventually(Effect.map(entered(redis, name), (all) => all.length === arrivals.length), 5000)
        assert.deepStrictEqual(yield* entered(redis, name), ["a2", "c2", "b3", "a1", "b1", "c1", "b2", "a3"])
        assert.strictEqual(yield* zcard(redis, keys.line), 0)
        assert.strictEqual(yield* zcard(redis, keys.waiters), 0)
      })),
    30_000
  )

  it.live(
    "waiters in another process are woken by a release at once — three in a row within 2 s — not by their poll (10 s)",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("wake")
        const redis = yield* client
        const { release } = yield* heldLimit(name, { leaseTime: 30_000 })
        const child = yield* startFixture("lineProcess.ts", [url(), prefix, name, "30000", "10000"], "ready")
        for (const [i, label] of ["w1", "w2", "w3"].entries()) {
          child.process.stdin!.write(`enter ${label} 0\n`)
          yield* eventually(Effect.map(zcard(redis, lineKeys(name).line), (n) => n === i + 1))
        }
        // long enough for a poller's sleeps to have grown long
        yield* Effect.sleep("4 seconds")
        const releasedAt = Date.now()
        yield* release
        yield* eventually(Effect.map(entered(redis, name), (all) => all.length === 3), 9000)
        const took = Date.now() - releasedAt
        assert.isBelow(took, 2000, `the three entered ${took} ms after the release`)
        assert.deepStrictEqual(yield* entered(redis, name), ["w1", "w2", "w3"])
      })),
    30_000
  )

  it.live(
    "a waiting process SIGKILLed: its registration expires with its lease time, and the line goes on",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("deadwaiter")
        const redis = yield* client
        const keys = lineKeys(name)
        const { release } = yield* heldLimit(name, { leaseTime: 1500 })
        const child = yield* startFixture("lineProcess.ts", [url(), prefix, name, "1500", "500"], "ready")
        child.process.stdin!.write("enter dead 0\n")
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 1))
        child.process.kill("SIGKILL")
        yield* exited(child.process)
        const behind = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: 1500
        })
        const next = yield* Effect.forkChild(behind(Effect.sync(() => Date.now())))
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 2))
        const releasedAt = Date.now()
        yield* release
        // the permit went to the dead waiter, whose lease ends with its registration: 1.5 s after its last poll
        const enteredAt = yield* Fiber.join(next)
        assert.isBelow(enteredAt - releasedAt, 1500 + 1000)
        assert.deepStrictEqual(yield* entered(redis, name), [])
        yield* eventually(Effect.map(behind.inside, (n) => n === 0))
        assert.strictEqual(yield* zcard(redis, keys.line), 0)
        assert.strictEqual(yield* zcard(redis, keys.waiters), 0)
      })),
    30_000
  )

  it.live("an interrupted waiter leaves the line in Redis; those behind it keep their order", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("interrupted")
      const redis = yield* client
      const keys = lineKeys(name)
      const { limiter, release } = yield* heldLimit(name)
      const order: Array<string> = []
      const waiters = []
      for (const label of ["a", "b", "c"]) {
        waiters.push(yield* Effect.forkChild(limiter(Effect.sync(() => void order.push(label)))))
        yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === waiters.length))
      }
      yield* Fiber.interrupt(waiters[1]!)
      yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 2))
      assert.strictEqual(yield* limiter.waiting, 2)
      yield* release
      yield* Fiber.join(waiters[0]!)
      yield* Fiber.join(waiters[2]!)
      assert.deepStrictEqual(order, ["a", "c"])
      assert.strictEqual(yield* zcard(redis, keys.waiters), 0)
    })))

  it.live("a permit freed without a wake-up (as if the message were lost) is found by the fallback poll", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("lostwake")
      const redis = yield* client
      const keys = lineKeys(name)
      const limiter = yield* RedisConcurrencyLimiter.make({
        name,
        prefix,
        url: url(),
        concurrency: 1,
        leaseTime: 3000,
        pollInterval: "300 millis"
      })
      // a holder that is not a limiter: its lease is removed behind everyone's back, no message published
      yield* Effect.promise(() => redis.zadd(keys.leases, Number.MAX_SAFE_INTEGER, "ghost"))
      const waiter = yield* Effect.forkChild(limiter(Effect.sync(() => Date.now())))
      yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === 1))
      yield* Effect.sleep("500 millis")
      assert.isUndefined(waiter.pollUnsafe())
      const freedAt = Date.now()
      yield* Effect.promise(() => redis.zrem(keys.leases, "ghost"))
      const enteredAt = yield* Fiber.join(waiter)
      assert.isBelow(enteredAt - freedAt, 300 + 1000)
    })))

  it.live(
    "a subscriber connection dropped: the release published meanwhile is made up for when it is back, not a poll (10 s) later",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("subdrop")
        const redis = yield* client
        const { release } = yield* heldLimit(name, { leaseTime: 30_000 })
        const waiting = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: 30_000
        })
        const waiter = yield* Effect.forkChild(waiting(Effect.sync(() => Date.now())))
        yield* eventually(Effect.map(zcard(redis, lineKeys(name).line), (n) => n === 1))
        // this limiter's subscriber is cut (only its own: other test files share the Redis); it
        // reconnects by itself (after 100 ms, then resubscribes)
        const clients = String(yield* Effect.promise(() => redis.call("CLIENT", "LIST", "TYPE", "pubsub")))
        const ours = clients.split("\n").filter((line) => line.includes(`name=fiberkit-wakeups:${prefix}:${name}:`))
        assert.isAbove(ours.length, 0, "the limiters' subscribers are named after their channel")
        for (const line of ours) {
          yield* Effect.promise(() => redis.call("CLIENT", "KILL", "ID", /\bid=(\d+)/.exec(line)![1]!))
        }
        const releasedAt = Date.now()
        yield* release
        const enteredAt = yield* Fiber.join(waiter)
        assert.isBelow(enteredAt - releasedAt, 3000)
      })),
    20_000
  )

  it.live.prop(
    "property: waiters on 3 connections, random priorities, some interrupted: the others enter by priority, then arrival; nothing is left in Redis",
    [
      Gen.array(
        Gen.record({
          connection: Gen.integer({ min: 0, max: 2 }),
          priority: Gen.integer({ min: 0, max: 2 }),
          interrupted: Gen.boolean
        }),
        { minLength: 1, maxLength: 7 }
      )
    ],
    ([arrivals]) =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("property")
        const redis = yield* client
        const keys = lineKeys(name)
        const limiters = yield* Effect.all(
          [0, 1, 2].map(() => RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 }))
        )
        const gate = yield* Deferred.make<void>()
        const holder = yield* Effect.forkChild(limiters[0]!(Deferred.await(gate)))
        yield* eventually(Effect.map(limiters[0]!.inside, (n) => n === 1))
        const order: Array<number> = []
        const fibers: Array<Fiber.Fiber<void, unknown>> = []
        for (const [i, arrival] of arrivals.entries()) {
          const limiter = limiters[arrival.connection]!
          fibers.push(
            yield* Effect.forkChild(limiter.withPriority(arrival.priority)(Effect.sync(() => void order.push(i))))
          )
          yield* eventually(Effect.map(zcard(redis, keys.line), (n) => n === i + 1))
        }
        yield* Effect.forEach(arrivals, (arrival, i) => arrival.interrupted ? Fiber.interrupt(fibers[i]!) : Effect.void)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holder)
        yield* Effect.forEach(arrivals, (arrival, i) => arrival.interrupted ? Effect.void : Fiber.join(fibers[i]!))
        const expected = arrivals.map((arrival, i) => ({ ...arrival, i })).filter((arrival) => !arrival.interrupted)
          .sort((a, b) => b.priority - a.priority || a.i - b.i).map((arrival) => arrival.i)
        assert.deepStrictEqual(order, expected)
        yield* eventually(Effect.map(zcard(redis, keys.waiters), (n) => n === 0))
        assert.strictEqual(yield* zcard(redis, keys.line), 0)
        yield* eventually(Effect.map(zcard(redis, keys.leases), (n) => n === 0))
      })),
    { timeout: 60_000, arbitrary: { runs: 12 } }
  )
})
