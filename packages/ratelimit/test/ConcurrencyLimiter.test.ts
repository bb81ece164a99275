import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"

describe("ConcurrencyLimiter", () => {
  it.effect.prop(
    "never more than n inside; interrupted waiters and holders leak no permit",
    [
      Gen.integer({ min: 1, max: 4 }),
      Gen.array(
        Gen.record({
          duration: Gen.integer({ min: 0, max: 30 }),
          interruptAfter: Gen.option(Gen.integer({ min: 0, max: 40 }), { nil: undefined })
        }),
        { maxLength: 20 }
      )
    ],
    ([n, tasks]) =>
      Effect.gen(function*() {
        const limit = yield* ConcurrencyLimiter.make({ concurrency: n })
        const probe = yield* ConcurrencyProbe.make
        yield* TestTime.run(Effect.gen(function*() {
          const fibers = yield* Effect.forEach(tasks, (task) =>
            Effect.forkChild(limit(probe.track(Effect.sleep(task.duration)))))
          yield* Effect.forEach(tasks, (task, i) =>
            task.interruptAfter === undefined
              ? Effect.void
              : Effect.forkChild(Effect.andThen(Effect.sleep(task.interruptAfter), Fiber.interrupt(fibers[i]!))))
          yield* Effect.forEach(fibers, Fiber.await)
        }))
        assert.isAtMost(yield* probe.peak, n)
        assert.strictEqual(yield* limit.inside, 0)
        assert.strictEqual(yield* limit.waiting, 0)
      }),
    { arbitrary: { runs: 50 }, timeout: 30_000 }
  )

  it.effect("n below 1 fails InvalidOptions", () =>
    Effect.gen(function*() {
      assert.strictEqual((yield* Effect.flip(ConcurrencyLimiter.make({ concurrency: 0 })))._tag, "InvalidOptions")
      assert.strictEqual((yield* Effect.flip(ConcurrencyLimiter.make({ concurrency: 1.5 })))._tag, "InvalidOptions")
    }))
})
