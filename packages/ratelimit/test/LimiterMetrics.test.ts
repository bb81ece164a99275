import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Fiber, Metric } from "effect"
import { TestClock } from "effect/testing"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"

const metered = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

const none = { succeeded: 0, failed: 0, interrupted: 0, rejected: 0, dropped: 0 }

describe("limiter metrics", () => {
  it.effect("ConcurrencyLimiter: waiting, inside, times and outcomes; interrupted waiting and inside leave 0", () =>
    metered(Effect.gen(function*() {
      const limiter = yield* ConcurrencyLimiter.make({ concurrency: 1, name: "db" })
      const values = Telemetry.values("ConcurrencyLimiter", "db")
      const gate = yield* Deferred.make<void>()
      const first = yield* Effect.forkChild(limiter(Effect.andThen(Deferred.await(gate), Effect.sleep("20 millis"))))
      const second = yield* Effect.forkChild(limiter(Effect.fail("boom")))
      const third = yield* Effect.forkChild(limiter(Effect.never))
      yield* Effect.yieldNow
      let v = yield* values
      assert.strictEqual(v.running, 1)
      assert.strictEqual(v.pending, 2)
      yield* TestClock.adjust("5 millis")
      yield* Fiber.interrupt(third) // interrupted while it waits
      yield* Deferred.succeed(gate, undefined)
      yield* TestClock.adjust("20 millis")
      yield* Fiber.join(first)
      assert.isTrue(Exit.isFailure(yield* Fiber.await(second)))
      v = yield* values
      assert.strictEqual(v.pending, 0)
      assert.strictEqual(v.running, 0)
      assert.deepStrictEqual(v.outcomes, { ...none, succeeded: 1, failed: 1, interrupted: 1 })
      // the first waited 0 and ran 25 ms, the second waited 25 ms and ran 0; the third never started
      assert.strictEqual(v.waitTime.count, 2)
      assert.strictEqual(v.waitTime.sum, 25)
      assert.strictEqual(v.runTime.count, 2)
      assert.strictEqual(v.runTime.sum, 25)
      // interrupted inside
      const inside = yield* Effect.forkChild(limiter(Effect.never))
      yield* Effect.yieldNow
      assert.strictEqual((yield* values).running, 1)
      yield* Fiber.interrupt(inside)
      v = yield* values
      assert.strictEqual(v.running, 0)
      assert.strictEqual(v.outcomes.interrupted, 2)
    })))

  it.effect("a full line: refused on arrival is rejected, dropped for a newer one is dropped", () =>
    metered(Effect.gen(function*() {
      const failing = yield* ConcurrencyLimiter.make({ concurrency: 1, maxPending: 1, onFull: "fail", name: "f" })
      const dropping = yield* ConcurrencyLimiter.make({
        concurrency: 1,
        maxPending: 1,
        onFull: "dropOldest",
        name: "d"
      })
      const fibers: Array<Fiber.Fiber<unknown, unknown>> = []
      for (const limiter of [failing, dropping]) {
        for (let i = 0; i < 3; i++) {
          fibers.push(yield* Effect.forkChild(limiter(Effect.never)))
          yield* Effect.yieldNow
        }
      }
      // the dropped use leaves when its own fiber resumes
      assert.isTrue(Exit.isFailure(yield* Fiber.await(fibers[4]!)))
      const f = yield* Telemetry.values("ConcurrencyLimiter", "f")
      const d = yield* Telemetry.values("ConcurrencyLimiter", "d")
      assert.deepStrictEqual([f.running, f.pending, f.outcomes], [1, 1, { ...none, rejected: 1 }])
      assert.deepStrictEqual([d.running, d.pending, d.outcomes], [1, 1, { ...none, dropped: 1 }])
      yield* Fiber.interruptAll(fibers)
      for (const group of ["f", "d"]) {
        const v = yield* Telemetry.values("ConcurrencyLimiter", group)
        assert.deepStrictEqual([v.running, v.pending, v.outcomes.interrupted], [0, 0, 2])
      }
    })))

  it.effect("RateLimiter: a wait for the next window is the wait time; keyed limiters count all keys in one group", () =>
    metered(Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis", name: "api" })
      yield* limiter(Effect.void)
      const second = yield* Effect.forkChild(limiter(Effect.void))
      yield* Effect.yieldNow
      assert.strictEqual((yield* Telemetry.values("RateLimiter", "api")).pending, 1)
      // a sliding window lets the next start 1 ms after the window of the first has passed
      yield* TestClock.adjust("100 millis")
      assert.strictEqual((yield* Telemetry.values("RateLimiter", "api")).pending, 1)
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(second)
      const v = yield* Telemetry.values("RateLimiter", "api")
      assert.deepStrictEqual([v.pending, v.running, v.outcomes.succeeded], [0, 0, 2])
      assert.strictEqual(v.waitTime.sum, 101)

      const keyed = yield* KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second", name: "hosts" })
      yield* keyed("a")(Effect.void)
      yield* keyed("b")(Effect.void)
      const perKey = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 1, name: "users" })
      yield* perKey("x")(Effect.void)
      assert.strictEqual((yield* Telemetry.values("KeyedRateLimiter", "hosts")).outcomes.succeeded, 2)
      assert.strictEqual((yield* Telemetry.values("KeyedConcurrencyLimiter", "users")).outcomes.succeeded, 1)
    })))

  it.effect.prop(
    "property: random uses, failures, interruptions and a bound — gauges within bounds, back to 0; one outcome per use, as the callers saw it",
    [
      Gen.array(
        Gen.record({
          at: Gen.integer({ min: 0, max: 20 }),
          duration: Gen.integer({ min: 0, max: 10 }),
          fails: Gen.boolean,
          interruptAt: Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined })
        }),
        { maxLength: 20 }
      ),
      Gen.constantFrom("unbounded" as const, "fail" as const, "dropOldest" as const)
    ],
    ([uses, bound]) =>
      metered(Effect.gen(function*() {
        const limiter = yield* ConcurrencyLimiter.make(
          bound === "unbounded"
            ? { concurrency: 2, name: "prop" }
            : { concurrency: 2, maxPending: 3, onFull: bound, name: "prop" }
        )
        const values = Telemetry.values("ConcurrencyLimiter", "prop")
        const seen = { ...none }
        const check = Effect.map(values, (v) => {
          assert.isTrue(v.pending >= 0 && v.running >= 0 && v.running <= 2, JSON.stringify(v))
        })
        yield* TestTime.run(Effect.forEach(uses, (u) =>
          Effect.gen(function*() {
            yield* Effect.sleep(u.at)
            yield* check
            const use = limiter(Effect.andThen(Effect.sleep(u.duration), u.fails ? Effect.fail("boom") : Effect.void))
            const fiber = yield* Effect.forkChild(use)
            if (u.interruptAt !== undefined) {
              yield* Effect.forkChild(Effect.delay(Fiber.interrupt(fiber), u.interruptAt))
            }
            const exit = yield* Fiber.await(fiber)
            yield* check
            if (Exit.isSuccess(exit)) return void seen.succeeded++
            const error = Cause.findErrorOption(exit.cause)
            if (error._tag === "None") seen.interrupted++
            else if (error.value === "boom") seen.failed++
            else if (error.value instanceof PendingLimitExceeded) seen[error.value.dropped ? "dropped" : "rejected"]++
          }), { concurrency: "unbounded", discard: true }))
        const v = yield* values
        assert.deepStrictEqual([v.pending, v.running], [0, 0])
        assert.deepStrictEqual(v.outcomes, seen)
        assert.strictEqual(Object.values(v.outcomes).reduce((a, b) => a + b, 0), uses.length)
        assert.strictEqual(v.waitTime.count, v.runTime.count)
      })),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )

  describe("fiberkit_limit", () => {
    const limitOf = (source: string, group: string) => Effect.map(Telemetry.values(source, group), (v) => v.limit)

    it.effect("ConcurrencyLimiter: its concurrency when made, then each resize's; a bad resize changes nothing", () =>
      metered(Effect.gen(function*() {
        const limiter = yield* ConcurrencyLimiter.make({ concurrency: 3, name: "db" })
        assert.strictEqual(yield* limitOf("ConcurrencyLimiter", "db"), 3)
        yield* limiter.resize(10)
        assert.strictEqual(yield* limitOf("ConcurrencyLimiter", "db"), 10)
        yield* limiter.resize(1)
        assert.strictEqual(yield* limitOf("ConcurrencyLimiter", "db"), 1)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(limiter.resize(0))))
        assert.strictEqual(yield* limitOf("ConcurrencyLimiter", "db"), limiter.concurrency)
      })))

    it.effect("RateLimiter and KeyedRateLimiter: the starts per interval (`limit`), as made and as resized", () =>
      metered(Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ limit: 5, interval: "1 second", algorithm: "gcra", name: "api" })
        assert.strictEqual(yield* limitOf("RateLimiter", "api"), 5)
        yield* limiter.resize({ limit: 50 })
        assert.strictEqual(yield* limitOf("RateLimiter", "api"), 50)
        // another number resized: the limit stays; a bad resize changes nothing
        yield* limiter.resize({ interval: "2 seconds", burst: 3 })
        assert.strictEqual(yield* limitOf("RateLimiter", "api"), 50)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(limiter.resize({ limit: -1 }))))
        assert.strictEqual(yield* limitOf("RateLimiter", "api"), limiter.options.limit)

        const keyed = yield* KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second", name: "hosts" })
        assert.strictEqual(yield* limitOf("KeyedRateLimiter", "hosts"), 10)
        yield* keyed("a")(Effect.void)
        // a resize through any key resizes every key: the one limit per key
        yield* keyed("b").resize({ limit: 4 })
        assert.strictEqual(yield* limitOf("KeyedRateLimiter", "hosts"), 4)
      })))

    it.effect("KeyedConcurrencyLimiter: its global cap, as made and as resized; none without one", () =>
      metered(Effect.gen(function*() {
        const capped = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 8, name: "tenants" })
        assert.strictEqual(yield* limitOf("KeyedConcurrencyLimiter", "tenants"), 8)
        yield* capped.resize({ perKey: 3 })
        assert.strictEqual(yield* limitOf("KeyedConcurrencyLimiter", "tenants"), 8)
        yield* capped.resize({ global: 12, perKey: 1 })
        assert.strictEqual(yield* limitOf("KeyedConcurrencyLimiter", "tenants"), 12)
        assert.isTrue(Exit.isFailure(yield* Effect.exit(capped.resize({ global: 0 }))))
        assert.strictEqual(yield* limitOf("KeyedConcurrencyLimiter", "tenants"), capped.global)

        const uncapped = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, name: "users" })
        yield* uncapped.resize({ perKey: 5 })
        yield* uncapped("x")(Effect.void)
        assert.isUndefined(yield* limitOf("KeyedConcurrencyLimiter", "users"))
        assert.isFalse(
          (yield* Metric.snapshot).some((s) => s.id === Telemetry.names.limit && s.attributes?.group === "users")
        )
      })))

    it.effect.prop(
      "property: any sequence of resizes, good or bad — the limit published is always the limiter's",
      [Gen.array(Gen.integer({ min: -1, max: 20 }), { minLength: 1, maxLength: 12 })],
      ([sizes]) =>
        metered(Effect.gen(function*() {
          const concurrency = yield* ConcurrencyLimiter.make({ concurrency: 2, name: "c" })
          const rate = yield* RateLimiter.make({ limit: 2, interval: "1 second", name: "r" })
          for (const size of sizes) {
            yield* Effect.exit(concurrency.resize(size))
            yield* Effect.exit(rate.resize({ limit: size }))
            assert.strictEqual(yield* limitOf("ConcurrencyLimiter", "c"), concurrency.concurrency)
            assert.strictEqual(yield* limitOf("RateLimiter", "r"), rate.options.limit)
          }
        })),
      { arbitrary: { runs: 40 } }
    )
  })
})
