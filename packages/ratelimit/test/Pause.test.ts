import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Cause, Clock, Duration, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

/** Starts `count` requests at once through `limiter` and returns their start times, in ms from now (TestClock). */
const startTimes = (limiter: RateLimiter.RateLimiter, count: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    TestTime.run(
      Effect.forEach(
        Array.from({ length: count }),
        () => limiter(Effect.map(Clock.currentTimeMillis, (at) => at - now)),
        { concurrency: "unbounded" }
      )
    ))

/** `count` requests at once through `limiter`: their start times (ms since the epoch). */
const startsFrom = (limiter: RateLimiter.RateLimiter, count: number) =>
  Effect.forEach(Array.from({ length: count }), () => limiter(Clock.currentTimeMillis), { concurrency: "unbounded" })

const algorithms: ReadonlyArray<RateLimiter.RateLimiter.Options> = [
  { limit: 2, interval: "1 second" },
  { limit: 2, interval: "1 second", algorithm: "token-bucket" },
  { limit: 2, interval: "1 second", algorithm: "gcra", burst: 2 }
]

/** The defect of a failed exit, if it is an `IllegalArgumentError`. */
const illegalArgument = (exit: Exit.Exit<unknown, unknown>) => {
  const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
  return Cause.isIllegalArgumentError(defect) ? defect.message : undefined
}

describe("RateLimiter.pause", () => {
  for (const options of algorithms) {
    const algorithm = options.algorithm ?? "sliding-window"
    it.effect(`${algorithm}: no start until the pause ends, then the usual pace, in order`, () =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make(options)
        yield* limiter.pause("1500 millis")
        assert.strictEqual((yield* limiter.stats).pausedFor, 1500)
        // the pause consumed nothing: the capacity is whole when it ends
        const expected = algorithm === "sliding-window"
          ? [1500, 1500, 2501, 2501]
          : [1500, 1500, 2000, 2500]
        assert.deepStrictEqual(yield* startTimes(limiter, 4), expected)
        assert.strictEqual((yield* limiter.stats).pausedFor, 0)
      }))
  }

  it.effect("waiters queued before the pause keep their order and wait for its end", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis", algorithm: "gcra" })
      const order: Array<string> = []
      const fibers = yield* Effect.forEach(["a", "b", "c"], (name) =>
        Effect.forkChild(limiter(Effect.flatMap(Clock.currentTimeMillis, (at) =>
          Effect.sync(() =>
            order.push(`${name}@${at}`)
          )))))
      yield* TestClock.adjust(0)
      assert.deepStrictEqual(order, ["a@0"]) // b and c wait for 100 and 200
      yield* TestClock.adjust(50)
      yield* limiter.pause("1 second") // at 50: nothing before 1050
      assert.strictEqual((yield* limiter.stats).waiting, 2)
      yield* TestClock.adjust(999)
      assert.deepStrictEqual(order, ["a@0"])
      yield* TestClock.adjust(1)
      assert.deepStrictEqual(order, ["a@0", "b@1050"])
      yield* TestClock.adjust(100)
      yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(order, ["a@0", "b@1050", "c@1150"])
    }))

  it.effect("a pause only extends: a shorter one asked later, or pause(0), changes nothing", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second" })
      yield* limiter.pause("2 seconds")
      yield* TestClock.adjust(500)
      yield* limiter.pause("1 second") // would end at 1500: before the current end, 2000
      yield* limiter.pause(0)
      assert.strictEqual((yield* limiter.stats).pausedFor, 1500)
      yield* limiter.pause("1600 millis") // ends at 2100: extends it
      assert.deepStrictEqual(yield* startTimes(limiter, 1), [1600])
    }))

  it.effect("pause(0) on a limiter at rest lets a start go at once; a fraction of a ms rounds up", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second" })
      yield* limiter.pause(0)
      assert.deepStrictEqual(yield* startTimes(limiter, 1), [0])
      yield* limiter.pause(Duration.micros(1500n))
      assert.deepStrictEqual(yield* startTimes(limiter, 1), [2])
    }))

  it.effect("a pause extended while the first in line sleeps: it sleeps on to the new end", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second" })
      yield* limiter.pause("1 second")
      const fiber = yield* Effect.forkChild(limiter(Clock.currentTimeMillis))
      yield* TestClock.adjust(600)
      yield* limiter.pause("1 second") // now ends at 1600
      yield* TestClock.adjust(400)
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(600)
      assert.strictEqual(yield* Fiber.join(fiber), 1600)
    }))

  it.effect("a waiter interrupted during a pause consumes nothing; the next keeps its turn", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      yield* limiter.pause("1 second")
      const first = yield* Effect.forkChild(limiter(Clock.currentTimeMillis))
      const second = yield* Effect.forkChild(limiter(Clock.currentTimeMillis))
      const third = yield* Effect.forkChild(limiter(Clock.currentTimeMillis))
      yield* TestClock.adjust(300)
      yield* Fiber.interrupt(first) // it held the turn, asleep until the pause ends
      yield* TestClock.adjust(100)
      yield* Fiber.interrupt(third) // it waited in line
      assert.strictEqual((yield* limiter.stats).waiting, 1)
      yield* TestClock.adjust(600)
      assert.strictEqual(yield* Fiber.join(second), 1000)
      const stats = yield* limiter.stats
      assert.deepStrictEqual(stats, { granted: 1, waiting: 0, available: 0, usage: 1, pausedFor: 0 })
    }))

  it.effect("an invalid duration is a defect naming the call and the value; nothing is paused", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      const keyed = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second" })
      for (const duration of [-1, Number.NaN, Infinity, "-5 seconds", Duration.infinity, -1n] as const) {
        const message = illegalArgument(yield* Effect.exit(limiter.pause(duration)))
        assert.include(message, "RateLimiter.pause: duration must be a finite duration ≥ 0", String(duration))
        const keyedMessage = illegalArgument(yield* Effect.exit(keyed.pause("a", duration)))
        assert.include(keyedMessage, "KeyedRateLimiter.pause: duration must be a finite duration ≥ 0")
      }
      assert.strictEqual((yield* limiter.stats).pausedFor, 0)
      assert.strictEqual(yield* keyed.size, 0)
    }))
})

describe("RateLimiter.drain", () => {
  it.effect("sliding-window: the free capacity counts as started now; earlier starts leave as usual", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
      yield* limiter.take() // at 0
      yield* TestClock.adjust(400)
      yield* limiter.drain // the other 2 count as started at 400
      const stats = yield* limiter.stats
      assert.deepStrictEqual([stats.available, stats.usage, stats.granted], [0, 3, 1])
      // the start at 0 leaves the window at 1001, the drained 2 at 1401
      assert.deepStrictEqual(yield* startTimes(limiter, 4), [601, 1001, 1001, 1602])
    }))

  it.effect("token-bucket: no token left, not even part of one; it refills from now", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "token-bucket" })
      yield* limiter.take(3)
      yield* TestClock.adjust(100) // 1.4 tokens now
      yield* limiter.drain
      assert.strictEqual((yield* limiter.stats).available, 0)
      assert.deepStrictEqual(yield* startTimes(limiter, 3), [250, 500, 750])
    }))

  it.effect("gcra: as if a whole burst had started now: the next start one emission interval later", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 4, interval: "1 second", algorithm: "gcra", burst: 3 })
      yield* limiter.drain
      assert.strictEqual((yield* limiter.stats).available, 0)
      assert.deepStrictEqual(yield* startTimes(limiter, 3), [250, 500, 750])
      // 3 emission intervals later the whole burst is back
      yield* TestClock.adjust(1000)
      yield* limiter.drain
      yield* limiter.drain // a second drain changes nothing: it never makes a wait longer than one burst's
      assert.deepStrictEqual(yield* startTimes(limiter, 1), [250])
    }))

  it.effect("a drain while the first in line sleeps: it wakes at its old time, then sleeps on to the new one", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second", algorithm: "token-bucket" })
      yield* limiter.take(2) // empty: the next token at 500
      const fiber = yield* Effect.forkChild(limiter(Clock.currentTimeMillis))
      yield* TestClock.adjust(400) // 0.8 token
      yield* limiter.drain // 0: the next token at 900
      yield* TestClock.adjust(100)
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(400)
      assert.strictEqual(yield* Fiber.join(fiber), 900)
    }))

  for (const options of algorithms) {
    it.effect(`${options.algorithm ?? "sliding-window"}: a drain never makes a wait shorter`, () =>
      Effect.gen(function*() {
        const twin = yield* RateLimiter.make(options)
        const limiter = yield* RateLimiter.make(options)
        yield* Effect.forEach([twin, limiter], (each) => each.take())
        yield* limiter.drain
        const [plain, drained] = yield* TestTime.run(Effect.all([
          startsFrom(twin, 3),
          startsFrom(limiter, 3)
        ], { concurrency: "unbounded" }))
        drained.forEach((at, i) => assert.isAtLeast(at, plain[i]!))
        assert.isAbove(drained[0]!, plain[0]!) // the twin's second unit was free
        assert.strictEqual((yield* limiter.stats).granted, 4) // the drain is not a start
      }))
  }
})

describe("KeyedRateLimiter.pause and drain", () => {
  it.effect("pause one key: its requests wait, the other keys go on", () =>
    Effect.gen(function*() {
      const perHost = yield* KeyedRateLimiter.make<string>({ limit: 2, interval: "1 second" })
      yield* perHost.pause("a", "3 seconds")
      const starts = yield* TestTime.run(Effect.forEach(
        ["a", "b", "a", "b"],
        (host) => perHost(host)(Effect.map(Clock.currentTimeMillis, (at) => `${host}@${at}`)),
        { concurrency: "unbounded" }
      ))
      assert.deepStrictEqual(starts, ["a@3000", "b@0", "a@3000", "b@0"])
    }))

  it.effect("drain one key: only its capacity is gone", () =>
    Effect.gen(function*() {
      const perUser = yield* KeyedRateLimiter.make<string>({ limit: 2, interval: "1 second" })
      yield* perUser.drain("ada")
      assert.strictEqual((yield* perUser("ada").stats).available, 0)
      assert.strictEqual((yield* perUser("bob").stats).available, 2)
      assert.deepStrictEqual(yield* startTimes(perUser("ada"), 1), [1001])
    }))

  it.effect("a paused key is not forgotten before its pause ends, even idle and otherwise at rest", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedRateLimiter.make<string>({
        limit: 1,
        interval: "10 millis",
        idleTimeout: "1 second"
      })
      yield* perKey.pause("a", "5 seconds")
      yield* TestClock.adjust("3 seconds")
      yield* perKey("b").take() // a sweep: "a" is idle but paused
      assert.strictEqual(yield* perKey.size, 2)
      assert.deepStrictEqual(yield* startTimes(perKey("a"), 1), [2000])
      yield* TestClock.adjust("10 seconds")
      yield* perKey("c").take()
      assert.strictEqual(yield* perKey.size, 1)
    }))
})
