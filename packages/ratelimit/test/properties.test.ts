import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import * as RateLimiter from "../src/RateLimiter.js"
import { allowed, type Start } from "./guarantees.js"

/**
 * Random arrival patterns, costs and interruptions against each algorithm, on the TestClock.
 * The checks do not reuse the limiter's code: each algorithm's guarantee is written out below
 * as a condition on the list of starts, and serves both to check every start (safety) and to
 * check that none could have started a millisecond earlier (work conservation).
 */

interface Request {
  /** Milliseconds after the previous request arrived. */
  readonly gap: number
  readonly cost: number
  /** Interrupted this many milliseconds after it arrives, unless it has finished. */
  readonly interruptAfter: number | undefined
}

const scenario = Gen.record({
  algorithm: Gen.constantFrom<RateLimiter.RateLimiter.Algorithm>("sliding-window", "token-bucket", "gcra"),
  limit: Gen.integer({ min: 1, max: 5 }),
  interval: Gen.integer({ min: 1, max: 40 }),
  burst: Gen.integer({ min: 1, max: 6 }),
  requests: Gen.array(
    Gen.record({
      gap: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 60 })),
      cost: Gen.integer({ min: 1, max: 5 }),
      interruptAfter: Gen.option(Gen.integer({ min: 0, max: 80 }), { nil: undefined })
    }),
    { minLength: 1, maxLength: 25 }
  )
})

describe("RateLimiter properties", () => {
  it.effect.prop(
    "each algorithm keeps its guarantee, starts in FIFO order, and starts every request as early as that allows",
    [scenario],
    ([{ algorithm, burst, interval, limit, requests }]) =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({
          limit,
          interval,
          algorithm,
          ...(algorithm === "sliding-window" ? {} : { burst })
        })
        const options = limiter.options
        const most = algorithm === "token-bucket" ? Math.min(limit, options.burst) : limit
        const costOf = (request: Request) => 1 + ((request.cost - 1) % most)
        const arrivals: Array<number> = []
        const started = new Map<number, number>() // request → start time
        const order: Array<number> = []
        const interruptedAt = new Map<number, number>()
        const driver = Effect.gen(function*() {
          const fibers: Array<Fiber.Fiber<void, unknown>> = []
          for (const [index, request] of requests.entries()) {
            yield* Effect.sleep(request.gap)
            arrivals.push(yield* Clock.currentTimeMillis)
            const run = limiter.withCost(costOf(request))(Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.sync(() => {
                started.set(index, now)
                order.push(index)
              })))
            const fiber = yield* Effect.forkChild(run)
            fibers.push(fiber)
            if (request.interruptAfter !== undefined) {
              yield* Effect.forkChild(
                Effect.andThen(
                  Effect.sleep(request.interruptAfter),
                  Effect.flatMap(Clock.currentTimeMillis, (now) =>
                    Effect.andThen(
                      Effect.sync(() => {
                        if (!started.has(index)) {
                          interruptedAt.set(index, now)
                        }
                      }),
                      Fiber.interrupt(fiber)
                    ))
                )
              )
            }
          }
          yield* Fiber.joinAll(fibers).pipe(Effect.catchCause(() =>
            Effect.void
          ))
          yield* Effect.forEach(fibers, Fiber.await)
        })
        yield* TestTime.run(driver)

        // FIFO: starts come in arrival order
        assert.deepStrictEqual(order, [...order].sort((a, b) => a - b))
        // every request either started or was interrupted while it waited
        requests.forEach((_, index) =>
          assert.isTrue(started.has(index) || interruptedAt.has(index), `request ${index}`)
        )
        const starts: Array<Start> = []
        let blockedUntil = 0 // the line ahead: the last start or leave of an earlier request
        for (const [index, request] of requests.entries()) {
          const arrival = arrivals[index]!
          const at = started.get(index)
          if (at === undefined) {
            blockedUntil = Math.max(blockedUntil, interruptedAt.get(index)!)
            continue
          }
          const cost = costOf(request)
          const ready = Math.max(arrival, blockedUntil)
          assert.isAtLeast(at, ready, `request ${index} started before its turn`)
          assert.isTrue(allowed(options, interval, starts, at, cost), `request ${index} at ${at} breaks the guarantee`)
          if (at > ready) {
            assert.isFalse(
              allowed(options, interval, starts, at - 1, cost),
              `request ${index} waited until ${at}, but could start at ${at - 1}`
            )
          }
          starts.push({ at, cost })
          blockedUntil = Math.max(blockedUntil, at)
        }
        const stats = yield* limiter.stats
        assert.strictEqual(stats.granted, starts.length)
        assert.strictEqual(stats.waiting, 0)
      }),
    { arbitrary: { runs: 200 }, timeout: 120_000 }
  )
})
