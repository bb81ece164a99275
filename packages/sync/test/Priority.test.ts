import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Cause, type Clock, Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as KeyedSemaphore from "../src/KeyedSemaphore.js"
import * as Priority from "../src/Priority.js"

/** A Clock whose monotonic time is `nanos()`, for readings no real clock gives. */
const clockOf = (nanos: () => bigint): Clock.Clock => ({
  currentTimeMillisUnsafe: () => 0,
  currentTimeMillis: Effect.succeed(0),
  currentTimeNanosUnsafe: () => 0n,
  currentTimeNanos: Effect.succeed(0n),
  monotonicTimeNanosUnsafe: nanos,
  monotonicTimeNanos: Effect.sync(nanos),
  sleep: () => Effect.void
})

const rankOf = (ranking: Priority.Ranking, priority: number) => ranking.withRank(priority, Effect.succeed)

/** The defect's message, or `undefined` if `effect` did not die. */
const defectOf = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (!Exit.isFailure(exit)) return undefined
    const defect = exit.cause.reasons.find(Cause.isDieReason)?.defect
    return defect instanceof Error ? defect.message : undefined
  })

describe("Priority", () => {
  it.effect("decodeAging: a finite duration > 0 in milliseconds, absent for strict, InvalidOptions otherwise", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* Priority.decodeAging("X.make", "2 seconds"), 2000)
      assert.strictEqual(yield* Priority.decodeAging("X.make", 0.5), 0.5)
      assert.isUndefined(yield* Priority.decodeAging("X.make", undefined))
      for (const bad of ["0 millis", -1, "-5 millis", Number.NaN, "Infinity", "soon", [1, -2e9]]) {
        const error = yield* Effect.flip(Priority.decodeAging("X.make", bad))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.deepStrictEqual([error.operation, error.field, error.expected], [
          "X.make",
          "aging",
          "a finite duration > 0"
        ])
      }
      const error = yield* Effect.flip(Priority.decodeAging("X.make", "0 millis"))
      assert.strictEqual(error.message, "X.make: aging must be a finite duration > 0, got 0 millis")
    }))

  it.effect("strict: the rank is -priority, whatever the clock", () =>
    Effect.gen(function*() {
      const ranking = new Priority.Ranking("X.withPriority", undefined)
      yield* TestClock.setTime(5000)
      assert.deepStrictEqual(
        [yield* rankOf(ranking, 0), yield* rankOf(ranking, 3), yield* rankOf(ranking, -2)],
        [0, -3, 2]
      )
      assert.isTrue(ranking.isStrict)
    }))

  it.effect("aging: the rank is arrival − priority × aging, arrivals counted from the ranking's first use", () =>
    Effect.gen(function*() {
      const ranking = new Priority.Ranking("X.withPriority", 10)
      yield* TestClock.setTime(5000)
      assert.deepStrictEqual([yield* rankOf(ranking, 0), yield* rankOf(ranking, 2)], [0, -20])
      yield* TestClock.adjust(15)
      assert.strictEqual(yield* rankOf(ranking, 1), 5)
      assert.isFalse(ranking.isStrict)
    }))

  it.effect("aging: a wall clock that steps back moves no rank back; the monotonic time still advances", () =>
    Effect.gen(function*() {
      const ranking = new Priority.Ranking("X.withPriority", 10)
      yield* TestClock.setTime(3_600_000)
      const early = yield* rankOf(ranking, 0)
      yield* TestClock.setTime(3_540_000) // one minute back on the wall clock
      const late = yield* rankOf(ranking, 0)
      yield* TestClock.adjust(7)
      const later = yield* rankOf(ranking, 0)
      assert.deepStrictEqual([early, late, later], [0, 0, 7])
    }))

  it("aging: a clock whose monotonic time goes back gives the latest arrival time again, never an earlier one", () => {
    const readings = [5_000_000n, 9_000_000n, 2_000_000n, 12_000_000n]
    const ranking = new Priority.Ranking("X.withPriority", 10)
    const clock = clockOf(() => readings.shift()!)
    assert.deepStrictEqual([0, 0, 0, 0].map((p) => ranking.rank(p, clock)), [0, 4, 4, 7])
  })

  it.effect("aging of 100 nanoseconds at an epoch-sized wall time: one step of priority still ranks ahead", () =>
    Effect.gen(function*() {
      const ranking = new Priority.Ranking("X.withPriority", 0.0001)
      yield* TestClock.setTime(1_765_000_000_000)
      const low = yield* rankOf(ranking, 0)
      const high = yield* rankOf(ranking, 1)
      assert.isBelow(high, low)
      yield* TestClock.adjust("1 day")
      const lowLater = yield* rankOf(ranking, 0)
      const highLater = yield* rankOf(ranking, 1)
      assert.isBelow(highLater, lowLater)
    }))

  it.effect("rank, the rule alone: -priority without aging, arrival − priority × aging with it", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(5000)
      const ranks = yield* Effect.clockWith((clock) =>
        Effect.succeed([Priority.rank(3, clock), Priority.rank(3, clock, 10), Priority.rank(0, clock, 10)])
      )
      assert.deepStrictEqual(ranks, [-3, 4970, 5000])
    }))

  it.effect("a priority that is not finite, or an overflowing priority × aging, is a defect naming the operation", () =>
    Effect.gen(function*() {
      const strict = new Priority.Ranking("X.withPriority", undefined)
      const aged = new Priority.Ranking("Y.submit", 1000)
      assert.strictEqual(
        yield* defectOf(rankOf(strict, Number.NaN)),
        "X.withPriority: priority must be a finite number, got NaN"
      )
      assert.strictEqual(
        yield* defectOf(rankOf(aged, Number.POSITIVE_INFINITY)),
        "Y.submit: priority must be a finite number, got Infinity"
      )
      assert.strictEqual(
        yield* defectOf(rankOf(aged, 1e308)),
        "Y.submit: priority × aging must be a finite number of milliseconds, got 1e+308 × 1000"
      )
    }))

  it.effect("withRelativeRank: -priority, or -priority × aging for a line that adds the arrival; the same defects", () =>
    Effect.gen(function*() {
      const relativeOf = (ranking: Priority.Ranking, priority: number) =>
        ranking.withRelativeRank(priority, Effect.succeed)
      const strict = new Priority.Ranking("X.withPriority", undefined)
      const aged = new Priority.Ranking("Y.withPriority", 10)
      yield* TestClock.setTime(5000) // not read
      assert.deepStrictEqual(
        [yield* relativeOf(strict, 0), yield* relativeOf(strict, 3), yield* relativeOf(strict, -2)],
        [0, -3, 2]
      )
      assert.deepStrictEqual([yield* relativeOf(aged, 0), yield* relativeOf(aged, 2)], [0, -20])
      assert.strictEqual(
        yield* defectOf(relativeOf(strict, Number.NaN)),
        "X.withPriority: priority must be a finite number, got NaN"
      )
      assert.strictEqual(
        yield* defectOf(relativeOf(aged, 1e308)),
        "Y.withPriority: priority × aging must be a finite number of milliseconds, got 1e+308 × 10"
      )
    }))

  it("a Ranking made with an aging that decodeAging would refuse throws", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Priority.Ranking("X", bad), /agingMillis must be a finite number > 0/)
    }
  })

  it.effect.prop(
    "property (aging): a later arrival ranks ahead of an earlier one exactly when its priority pays for the gap",
    [
      Gen.record({ at: Gen.integer({ min: 0, max: 1000 }), priority: Gen.integer({ min: -5, max: 5 }) }),
      Gen.record({ gap: Gen.integer({ min: 0, max: 1000 }), priority: Gen.integer({ min: -5, max: 5 }) }),
      Gen.integer({ min: 1, max: 100 })
    ],
    ([first, second, aging]) =>
      Effect.gen(function*() {
        const ranking = new Priority.Ranking("X", aging)
        yield* TestClock.setTime(first.at)
        const earlier = yield* rankOf(ranking, first.priority)
        yield* TestClock.adjust(second.gap)
        const later = yield* rankOf(ranking, second.priority)
        assert.strictEqual(later < earlier, second.gap < (second.priority - first.priority) * aging)
      }),
    { arbitrary: { runs: 100 } }
  )
})

describe("KeyedSemaphore ranks", () => {
  it.effect("a key's waiters are served by rank, equal ranks first come, first served; other keys unaffected", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedSemaphore.make<string>(1)
      const gate = yield* Deferred.make<void>()
      const order: Array<string> = []
      const holder = yield* Effect.forkChild(perKey.withPermit("k")(Deferred.await(gate)))
      yield* Effect.yieldNow
      const fibers = []
      for (const [name, rank] of [["a", 5], ["b", 1], ["c", 5], ["d", 1]] as const) {
        fibers.push(yield* Effect.forkChild(perKey.withPermits("k", 1, rank)(Effect.sync(() => void order.push(name)))))
        yield* Effect.yieldNow
      }
      assert.strictEqual(yield* perKey.withPermits("other", 1, 9)(Effect.succeed("at once")), "at once")
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      yield* Fiber.joinAll(fibers)
      assert.deepStrictEqual(order, ["b", "d", "a", "c"])
      assert.strictEqual(yield* perKey.keys, 0)
    }))

  it.effect("a NaN rank is a defect, and leaves nothing behind", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedSemaphore.make<string>(1)
      const exit = yield* Effect.exit(perKey.withPermits("k", 1, Number.NaN)(Effect.void))
      assert.isTrue(Exit.hasDies(exit))
      assert.strictEqual(yield* perKey.keys, 0)
    }))
})
