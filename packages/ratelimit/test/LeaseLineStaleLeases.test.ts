/**
 * `LeaseLine` never lets an effect start on a lease that may have expired (Redis played by a fake
 * connection, on the TestClock; lease 3 s, poll every second). A lease is dated from when the script
 * that took or last renewed it was sent; one dated two thirds of the lease ago or more — its reply,
 * or its grant, read after a stall of the process — is renewed before the request starts (which
 * starts if the renewal's lease has not expired as its reply is read), or asked for again if Redis
 * says it is gone — three renewals at most, then the request fails, and a waiter granted by a message heard so late stays in line
 * for the poll, which renews its lease or puts it back in its place. (The tests on Redis,
 * `test-redis/RedisStalledProcess.test.ts`, stall a real event loop.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Exit, Fiber } from "effect"
import * as TestClock from "effect/testing/TestClock"
import { type Call, leaseLineOf } from "./redisLines.js"

const LEASE_MILLIS = 3000
/** A lease dated this long ago or more is renewed before its request starts. */
const STALE_MILLIS = LEASE_MILLIS * 2 / 3

const now = Effect.clockWith((clock) => Effect.succeed(clock.currentTimeMillisUnsafe()))

/** A line whose Redis answers with `respond`, and what was asked and when (the TestClock's ms). */
const lineWith = (respond: (call: Call, index: number) => Effect.Effect<unknown>) =>
  Effect.gen(function*() {
    const calls: Array<Call & { readonly at: number }> = []
    const line = yield* leaseLineOf((call) =>
      Effect.gen(function*() {
        calls.push({ ...call, at: yield* now })
        return yield* respond(call, calls.length - 1)
      }), () => {})
    const enter = Effect.uninterruptibleMask((restore) => line.acquire(0, restore))
    return { line, calls, enter }
  })

/** The reply of an acquire whose try took a lease for `id`. */
const took = (id: string) => [1, id, 1, 0, "", 0]

describe("LeaseLine: no start on a lease that may have expired", () => {
  it.effect.prop(
    "whatever the delays, a request starts on a lease that has not expired, dated from a script it sent — or fails after three renewals, the lease given back",
    [
      Gen.integer({ min: 0, max: 7000 }),
      Gen.array(Gen.record({ delay: Gen.integer({ min: 0, max: 4000 }), held: Gen.boolean }), { maxLength: 6 })
    ],
    ([tryDelay, renewals]) =>
      Effect.gen(function*() {
        const givenBack: Array<string> = []
        const calls: Array<Call & { readonly at: number }> = []
        const line = yield* leaseLineOf((call) =>
          Effect.gen(function*() {
            const index = calls.push({ ...call, at: yield* now }) - 1
            if (call.operation === "acquire") {
              return yield* Effect.as(Effect.sleep(index === 0 ? tryDelay : 0), took(`id${index}`))
            }
            // the renewals, in turn: answered after `delay`, the lease still held or gone; then answered at once
            const renewal = renewals.shift() ?? { delay: 0, held: true }
            return yield* Effect.as(Effect.sleep(renewal.delay), renewal.held ? 1 : 0)
          }), (member) => givenBack.push(member))
        const enter = Effect.uninterruptibleMask((restore) => line.acquire(0, restore))
        const exit = yield* TestTime.run(Effect.exit(Effect.gen(function*() {
          const taken = yield* enter
          return { taken, startedAt: yield* now }
        })))
        const renewCalls = calls.filter((call) => call.operation === "renew")
        // a lease is renewed only when it was stale, and asked for again only when Redis said it was gone
        assert.strictEqual(calls[1]?.operation === "renew", tryDelay >= STALE_MILLIS)
        for (let i = 1; i < calls.length; i++) {
          if (calls[i]!.operation === "acquire") assert.strictEqual(calls[i - 1]!.operation, "renew")
        }
        assert.isAtMost(renewCalls.length, 3, "it renews a bounded number of times")
        assert.strictEqual(line.waiting, 0)
        if (Exit.isFailure(exit)) {
          // three renewals, none of which confirmed a lease it could start on: the last lease given back
          assert.strictEqual(renewCalls.length, 3)
          assert.deepStrictEqual(givenBack, [`id${calls.map((call) => call.operation).lastIndexOf("acquire")}`])
          return
        }
        const { startedAt, taken } = exit.value
        assert.deepStrictEqual(givenBack, [])
        // dated from a script of this request: its try (less than two thirds of the lease ago), or
        // a renewal of the lease it took (not expired: less than the lease ago)
        const dating = calls.filter((call) => call.at === taken.takenAt)
        assert.isAbove(dating.length, 0, `no script was sent at ${taken.takenAt}`)
        const renewed = dating.some((call) => call.operation === "renew")
        assert.isBelow(startedAt - taken.takenAt, renewed ? LEASE_MILLIS : STALE_MILLIS)
        // the lease of its last try (the others expired)
        assert.strictEqual(taken.member, `id${calls.map((call) => call.operation).lastIndexOf("acquire")}`)
      }),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )

  it.effect("a grant heard when the waiter's last confirmation is stale: the waiter stays in line for the poll", () =>
    Effect.gen(function*() {
      const member = "000000000000001:id1"
      // the first poll (sent at 1000) is answered 1.5 s late; the next ones at once, with the grant
      const { calls, enter, line } = yield* lineWith(({ operation }, index) =>
        operation === "acquire"
          ? Effect.succeed([0, member, 1, 60_000_000, "0", 0])
          : index === 1
          ? Effect.as(Effect.sleep("1500 millis"), [[], 1, 60_000_000, 0])
          : Effect.succeed([[member], 1, 60_000_000, 0])
      )
      const waiter = yield* Effect.forkChild(enter)
      yield* TestClock.adjust(STALE_MILLIS)
      // heard at 2000, the registration last confirmed at 0 (the poll of 1000 has not answered)
      line.onMessage(`g ${member}`)
      yield* Effect.yieldNow
      assert.isUndefined(waiter.pollUnsafe(), "it went in on a lease that may have expired")
      assert.strictEqual(line.waiting, 1)
      // the late poll's answer: the next poll goes at once, and finds the lease (renewed by it)
      yield* TestClock.adjust("500 millis")
      const taken = yield* Fiber.join(waiter)
      assert.deepStrictEqual(calls.map((call) => [call.operation, call.at]), [["acquire", 0], ["poll", 1000], [
        "poll",
        2500
      ]])
      assert.deepStrictEqual(taken, { member, takenAt: 2500 })
    }))

  it.effect("a grant heard while the waiter's last confirmation is fresh lets it in at once, without a poll", () =>
    Effect.gen(function*() {
      const member = "000000000000001:id1"
      const { calls, enter, line } = yield* lineWith(({ operation }) =>
        operation === "acquire" ? Effect.succeed([0, member, 1, 60_000_000, "0", 0]) : Effect.succeed([[], 1, 0, 0])
      )
      const waiter = yield* Effect.forkChild(enter)
      yield* Effect.yieldNow
      yield* TestClock.setTime(STALE_MILLIS - 1) // the poll of 1000 is in the list; no renewal
      const polled = calls.filter((call) => call.operation === "poll").length
      line.onMessage(`g ${member}`)
      const taken = yield* Fiber.join(waiter)
      assert.strictEqual(calls.filter((call) => call.operation === "poll").length, polled)
      assert.isBelow((yield* now) - taken.takenAt, STALE_MILLIS)
    }))
})
