/**
 * The line of a rate limiter on Redis (`RateLine`: this process's waiting requests, served by one
 * fiber in batches), on the TestClock, with Redis's decision played by the local algorithm: random
 * arrivals, costs, priorities and interruptions. Without priorities it must pass what the local
 * `RateLimiter` passes (`properties.test.ts`): each algorithm's guarantee, starts in arrival order,
 * and none later than the line ahead and the algorithm require. With priorities: the guarantee, and
 * of two requests waiting at the same time the better ranked starts first.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Duration, Effect, Fiber } from "effect"
import { resolve } from "../src/internal/rateLimiter.js"
import { Arrivals, assertEachAsEarlyAsAllowed, limits } from "./arrivals.js"
import { allowed, type Start } from "./guarantees.js"
import { rateLineOf } from "./redisLines.js"

/** A limit of each algorithm and requests arriving at random, with priorities from 0 to `priorities`. */
const scenario = (priorities: number) =>
  Gen.record({
    ...limits,
    requests: Gen.array(
      Gen.record({
        gap: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 60 })),
        cost: Gen.integer({ min: 1, max: 5 }),
        priority: Gen.integer({ min: 0, max: priorities }),
        interruptAfter: Gen.option(Gen.integer({ min: 0, max: 80 }), { nil: undefined })
      }),
      { minLength: 1, maxLength: 25 }
    )
  })

type Scenario = Gen.ValueOf<ReturnType<typeof scenario>>

/** Runs the scenario through a `RateLine` whose takes are decided by the local algorithm (µs, as Redis answers). */
const play = ({ algorithm, burst, interval, limit, requests }: Scenario) =>
  Effect.gen(function*() {
    const options = yield* resolve("test", {
      limit,
      interval,
      algorithm,
      ...(algorithm === "sliding-window" ? {} : { burst })
    })
    const line = yield* rateLineOf(options)
    const most = algorithm === "token-bucket" ? Math.min(limit, options.burst) : limit
    const costOf = (cost: number) => 1 + ((cost - 1) % most)
    const record = new Arrivals()
    yield* TestTime.run(Effect.gen(function*() {
      const fibers: Array<Fiber.Fiber<void, unknown>> = []
      for (const [index, request] of requests.entries()) {
        yield* Effect.sleep(Duration.millis(request.gap))
        yield* record.arrive
        const fiber = yield* Effect.forkChild(Effect.uninterruptibleMask((restore) =>
          Effect.andThen(line.acquire(costOf(request.cost), -request.priority, restore), record.start(index))
        ))
        fibers.push(fiber)
        if (request.interruptAfter !== undefined) {
          yield* record.interruptLater(index, fiber, request.interruptAfter)
        }
      }
      yield* Effect.forEach(fibers, Fiber.await)
    }))
    const { arrivals, interruptedAt, order, started } = record
    requests.forEach((_, index) =>
      assert.isTrue(started.has(index) || interruptedAt.has(index), `request ${index}`)
    )
    assert.strictEqual(line.waiting, 0)
    assert.strictEqual(line.granted, started.size)
    return { options, costOf, arrivals, started, order, interruptedAt }
  })

describe("RateLine (the line of a RedisRateLimiter)", () => {
  it.effect.prop(
    "without priorities: each algorithm's guarantee, arrival order, and no start later than the line ahead and the algorithm require",
    [scenario(0)],
    ([s]) =>
      Effect.gen(function*() {
        const { arrivals, costOf, interruptedAt, options, order, started } = yield* play(s)
        assert.deepStrictEqual(order, [...order].sort((a, b) => a - b))
        assertEachAsEarlyAsAllowed(
          options,
          s.interval,
          s.requests.map((request, index) => ({
            arrival: arrivals[index]!,
            cost: costOf(request.cost),
            start: started.get(index),
            interruptedAt: interruptedAt.get(index)
          }))
        )
      }),
    { arbitrary: { runs: 150 }, timeout: 120_000 }
  )

  it.effect.prop(
    "with priorities: the guarantee, and of two requests waiting at once the higher priority (then the earlier) starts first",
    [scenario(2)],
    ([s]) =>
      Effect.gen(function*() {
        const { arrivals, costOf, options, order, started } = yield* play(s)
        const starts: Array<Start> = []
        for (const index of order) {
          const at = started.get(index)!
          const cost = costOf(s.requests[index]!.cost)
          assert.isTrue(
            allowed(options, s.interval, starts, at, cost),
            `request ${index} at ${at} breaks the guarantee`
          )
          starts.push({ at, cost })
        }
        // a request that started after it arrived waited in line from its arrival to its start
        const waited = (i: number) => started.get(i)! > arrivals[i]!
        for (const [x, a] of order.entries()) {
          for (const b of order.slice(x + 1)) {
            // b started after a: if both waited at once, a must not be ranked after b
            if (!waited(a) || !waited(b) || arrivals[b]! >= started.get(a)!) continue
            const ahead = s.requests[a]!.priority > s.requests[b]!.priority ||
              (s.requests[a]!.priority === s.requests[b]!.priority && a < b)
            assert.isTrue(ahead || started.get(a) === started.get(b), `${a} started before ${b}, ranked ahead of it`)
          }
        }
      }),
    { arbitrary: { runs: 150 }, timeout: 120_000 }
  )
})
