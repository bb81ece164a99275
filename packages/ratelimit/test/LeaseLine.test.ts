/**
 * This process's side of the concurrency limiter's line in Redis (`LeaseLine`), with Redis played
 * by a fake connection, on the TestClock: a grant heard before the reply that registered the
 * waiter, the fallback poll (only while there are waiters, every `pollInterval`, at once after a
 * resubscription), a poll that fails, and `dropOldest`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { PendingLimitExceeded, RedisLimiterUnavailable } from "../src/Errors.js"
import { type Call, leaseLineOf } from "./redisLines.js"

/** A line whose Redis answers with `respond`; what it asked, and what it gave back. */
const lineWith = (
  respond: (call: Call) => Effect.Effect<unknown, RedisLimiterUnavailable>,
  maxPending?: number
) =>
  Effect.gen(function*() {
    const calls: Array<Call> = []
    const givenBack: Array<string> = []
    const line = yield* leaseLineOf((call) =>
      Effect.suspend(() => {
        calls.push(call)
        return respond(call)
      }), (member) =>
      void givenBack.push(member), maxPending)
    const enter = Effect.uninterruptibleMask((restore) =>
      line.acquire(0, restore)
    )
    const polls = () => calls.filter((call) => call.operation === "poll")
    return { line, calls, givenBack, enter, polls }
  })

/** The reply of an acquire that registered `member` (the first lease expiring in 3 s). */
const registered = (member: string) => Effect.succeed([0, member, 1, 3_000_000, "0"])

describe("LeaseLine (this process's side of a RedisConcurrencyLimiter's line)", () => {
  it.effect("a grant heard before the reply that registers the waiter lets it in at once, without a poll", () =>
    Effect.gen(function*() {
      const reply = yield* Deferred.make<unknown>()
      const { enter, line, polls } = yield* lineWith(({ operation }) =>
        operation === "acquire" ? Deferred.await(reply) : Effect.succeed([[], 1, 3_000_000])
      )
      const waiter = yield* Effect.forkChild(enter)
      yield* Effect.yieldNow
      line.onMessage("g 000000000000001:id1")
      yield* Deferred.succeed(reply, [0, "000000000000001:id1", 1, 3_000_000, "0"])
      const taken = yield* Fiber.join(waiter)
      assert.strictEqual(taken.member, "000000000000001:id1")
      assert.strictEqual(polls().length, 0)
      assert.strictEqual(line.waiting, 0)
    }))

  it.effect("a grant heard before the reply of a resent try that says it holds the lease is not kept (review 8)", () =>
    Effect.gen(function*() {
      // review-8 regression test (it failed before the fix): the member stayed in `early` for ever
      const reply = yield* Deferred.make<unknown>()
      const { enter, line } = yield* lineWith(({ operation }) =>
        operation === "acquire" ? Deferred.await(reply) : Effect.succeed([[], 1, 3_000_000])
      )
      const waiter = yield* Effect.forkChild(enter)
      yield* Effect.yieldNow
      // its first run registered it and it was granted; the try sent again finds the lease
      line.onMessage("g 000000000000001:id1")
      yield* Deferred.succeed(reply, [1, "000000000000001:id1", 1, 3_000_000, "", 0])
      const taken = yield* Fiber.join(waiter)
      assert.strictEqual(taken.member, "000000000000001:id1")
      assert.strictEqual((line as unknown as { early: Set<string> }).early.size, 0)
    }))

  it.effect("a grant for a member of no try in flight is not kept: a later waiter of that member still waits", () =>
    Effect.gen(function*() {
      const { enter, line } = yield* lineWith(() => registered("000000000000001:id1"))
      line.onMessage("g 000000000000001:id1")
      const waiter = yield* Effect.forkChild(enter)
      yield* Effect.yieldNow
      assert.isUndefined(waiter.pollUnsafe())
      assert.strictEqual(line.waiting, 1)
      line.onMessage("g 000000000000001:id1")
      yield* Fiber.join(waiter)
    }))

  it.effect("the fallback poll: every pollInterval while there are waiters, none without, at once after a resubscription", () =>
    Effect.gen(function*() {
      const granted: Array<string> = []
      const { enter, line, polls } = yield* lineWith(({ operation }) =>
        operation === "acquire" ? registered("000000000000001:id1") : Effect.succeed([granted, 1, 3_000_000])
      )
      yield* TestClock.adjust("5 seconds")
      assert.strictEqual(polls().length, 0)
      const waiter = yield* Effect.forkChild(enter)
      yield* TestClock.adjust("999 millis")
      assert.strictEqual(polls().length, 0)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(polls().length, 1)
      assert.deepStrictEqual(polls()[0]!.args.slice(2), ["000000000000001:id1", "0"])
      line.pollNow()
      yield* Effect.yieldNow
      assert.strictEqual(polls().length, 2)
      granted.push("000000000000001:id1") // a grant whose message was lost
      yield* TestClock.adjust("1 second")
      const taken = yield* Fiber.join(waiter)
      // the poll that found the grant renewed the lease: it lasts from when that poll was sent
      assert.strictEqual(taken.takenAt, 7000)
      yield* TestClock.adjust("10 seconds")
      assert.strictEqual(polls().length, 3)
    }))

  it.effect("a waiter granted by a poll sent after its registration had expired holds a lease dated from that poll", () =>
    Effect.gen(function*() {
      // the reply registering it comes 5 s late (the process stalled past the 3 s registration);
      // the poll sent then puts it back in line and finds the lease handed to it
      const { enter, polls } = yield* lineWith(({ operation }) =>
        operation === "acquire"
          ? Effect.as(Effect.sleep("5 seconds"), [0, "000000000000001:id1", 1, 3_000_000, "0"])
          : Effect.succeed([["000000000000001:id1"], 1, 3_000_000])
      )
      const waiter = yield* Effect.forkChild(enter)
      yield* TestClock.adjust("5 seconds")
      const taken = yield* Fiber.join(waiter)
      assert.strictEqual(polls().length, 1)
      // not 0, the registration's time: the holder's first renewal would have had no time left
      assert.strictEqual(taken.takenAt, 5000)
    }))

  it.effect("the poll for the first lease's expiry counts from when Redis's answer came, never early", () =>
    Effect.gen(function*() {
      // each answer takes 50 ms to come; the first lease expires 200 ms after the script ran
      const late = <A>(reply: A) => Effect.as(Effect.sleep("50 millis"), reply)
      const { enter, polls } = yield* lineWith(({ operation }) =>
        late(operation === "acquire" ? [0, "000000000000001:id1", 1, 200_000, "0"] : [[], 1, 200_000])
      )
      yield* Effect.forkChild(enter)
      yield* TestClock.adjust("249 millis")
      assert.strictEqual(polls().length, 0) // sent at 0, answered at 50: the lease lasts until 250 at least
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(polls().length, 1)
      yield* TestClock.adjust("249 millis") // that poll, sent at 250, was answered at 300: the next at 500
      assert.strictEqual(polls().length, 1)
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(polls().length, 2)
    }))

  it.effect("a poll that fails fails the waiters with RedisLimiterUnavailable and gives their places back", () =>
    Effect.gen(function*() {
      const error = new RedisLimiterUnavailable({ limiter: "test", operation: "poll", cause: new Error("down") })
      const { enter, givenBack, line } = yield* lineWith(({ operation }) =>
        operation === "acquire" ? registered("000000000000001:id1") : Effect.fail(error)
      )
      const waiter = yield* Effect.forkChild(enter)
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.await(waiter)
      assert.deepStrictEqual(exit, Exit.fail(error))
      assert.deepStrictEqual(givenBack, ["000000000000001:id1"])
      assert.strictEqual(line.waiting, 0)
    }))

  it.effect("maxPending with dropOldest: the oldest waiter of this process fails, dropped, and its place is given back", () =>
    Effect.gen(function*() {
      let seq = 0
      const { enter, givenBack, line } = yield* lineWith(
        ({ operation }) => operation === "acquire" ? registered(`00000000000000${++seq}:id${seq}`) : Effect.never,
        1
      )
      const oldest = yield* Effect.forkChild(enter)
      yield* Effect.yieldNow
      const newest = yield* Effect.forkChild(enter)
      yield* Effect.yieldNow
      const exit = yield* Fiber.await(oldest)
      assert.isTrue(Exit.isFailure(exit))
      const dropped = Exit.isFailure(exit) ? exit.cause.reasons[0] : undefined
      assert.instanceOf(dropped?._tag === "Fail" ? dropped.error : undefined, PendingLimitExceeded)
      assert.deepStrictEqual(givenBack, ["000000000000001:id1"])
      assert.strictEqual(line.waiting, 1)
      line.onMessage("g 000000000000002:id2")
      yield* Fiber.join(newest)
    }))
})
