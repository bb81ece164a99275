import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Fiber, Scheduler } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"

describe("KeyedRateLimiter", () => {
  it.effect("each key has its own limit", () =>
    Effect.gen(function*() {
      const perHost = yield* KeyedRateLimiter.make<string>({ limit: 2, interval: "1 second" })
      const starts = yield* TestTime.run(Effect.forEach(
        ["a", "b", "a", "b", "a", "b"],
        (host) => perHost(host)(Effect.map(Clock.currentTimeMillis, (at) => `${host}@${at}`)),
        { concurrency: "unbounded" }
      ))
      assert.deepStrictEqual(starts, ["a@0", "b@0", "a@0", "b@0", "a@1001", "b@1001"])
    }))

  it.effect("idle keys are forgotten, but only once their past starts no longer count", () =>
    Effect.gen(function*() {
      const perUser = yield* KeyedRateLimiter.make<number>({
        limit: 2,
        interval: "10 seconds",
        idleTimeout: "1 second"
      })
      yield* perUser(1).take(2)
      yield* Effect.forEach([2, 3, 4], (user) => perUser(user).take())
      assert.strictEqual(yield* perUser.size, 4)
      // idle for 2 s, but user 1's starts still count for 8 s more: forgetting it would allow a burst
      yield* TestClock.adjust("2 seconds")
      yield* perUser(5).take()
      assert.strictEqual(yield* perUser.size, 5)
      const start = yield* TestTime.run(perUser(1)(Clock.currentTimeMillis))
      assert.strictEqual(start, 10_001)
      // 11 s later every other key is at rest and idle: only the keys used since remain
      yield* TestClock.adjust("11 seconds")
      yield* perUser(6).take()
      assert.strictEqual(yield* perUser.size, 1)
    }))

  it.effect("memory stays bounded with many keys coming and going", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedRateLimiter.make<number>({ limit: 1, interval: "100 millis", idleTimeout: "1 second" })
      let most = 0
      for (let key = 0; key < 1500; key++) {
        yield* perKey(key).take()
        yield* TestClock.adjust("10 millis") // 100 new keys per second
        most = Math.max(most, yield* perKey.size)
      }
      // about 1.5 idle timeouts' worth of keys at most
      assert.isAtMost(most, 160)
    }), 30_000)

  it.effect("an eviction racing a request never splits it from its key's limiter: the limit holds", () =>
    Effect.gen(function*() {
      // A request picks its key's limiter and registers its start there. Were these two steps, a
      // sweep in between (the clock past the idle timeout, another key used) could forget that
      // limiter while it looks at rest, and a later request for the same key would start on a new
      // one: two starts where the limit allows one. The first request is preempted after a swept
      // number of ops (`Scheduler.MaxOpsBeforeYield`, after `spin` cheap ops); meanwhile the other fiber
      // moves the clock on (a clock shifted by hand: the TestClock moves only when fibers wait).
      const base = yield* Clock.Clock
      const split: Array<string> = []
      for (let ops = 10; ops <= 50; ops++) {
        for (let spin = 0; spin <= 8; spin++) {
          yield* Effect.yieldNow
          let shift = 0
          const clock: Clock.Clock = {
            currentTimeMillisUnsafe: () => base.currentTimeMillisUnsafe() + shift,
            currentTimeMillis: Effect.sync(() => base.currentTimeMillisUnsafe() + shift),
            currentTimeNanosUnsafe: () => base.currentTimeNanosUnsafe() + BigInt(shift) * 1_000_000n,
            currentTimeNanos: Effect.sync(() => base.currentTimeNanosUnsafe() + BigInt(shift) * 1_000_000n),
            monotonicTimeNanosUnsafe: () => base.monotonicTimeNanosUnsafe() + BigInt(shift) * 1_000_000n,
            monotonicTimeNanos: Effect.sync(() => base.monotonicTimeNanosUnsafe() + BigInt(shift) * 1_000_000n),
            sleep: (duration) => base.sleep(duration)
          }
          const withClock = <A, E>(effect: Effect.Effect<A, E>) => Effect.provideService(effect, Clock.Clock, clock)
          const perKey = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "10 seconds", idleTimeout: 1 })
          const starts: Array<number> = []
          const startA = perKey("a")(
            Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => starts.push(at)))
          )
          const spinThen = (n: number): Effect.Effect<unknown> =>
            n === 0 ? startA : Effect.andThen(Effect.void, spinThen(n - 1))
          const first = yield* Effect.forkChild(
            withClock(Effect.provideService(spinThen(spin), Scheduler.MaxOpsBeforeYield, ops))
          )
          const moveOn = Effect.sync(() => {
            shift += 5
          })
          const other = yield* Effect.forkChild(
            withClock(Effect.andThen(moveOn, Effect.andThen(perKey("b").take(), startA)))
          )
          yield* TestTime.run(Effect.zip(Fiber.join(first), Fiber.join(other)))
          // split: the second start did not wait for the first to leave the window (a start is
          // recorded a few ops after it happens, so a time may lag by the 5 ms the clock moved)
          if (starts.length !== 2 || Math.abs(starts[1]! - starts[0]!) < 5_000) {
            split.push(`ops ${ops}, spin ${spin}: starts ${starts.join(", ")}`)
          }
        }
      }
      assert.deepStrictEqual(split, [])
    }))

  it.effect("bad options fail InvalidOptions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(KeyedRateLimiter.make({ limit: 1, interval: "1 second", idleTimeout: 0 }))
      assert.strictEqual(error._tag, "InvalidOptions")
    }))
})
