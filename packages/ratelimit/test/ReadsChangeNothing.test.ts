/**
 * Reads change nothing (the eighth review found `stats` reads on a clock ahead that forgot a sliding
 * window's starts, refilled a token bucket, and swept a `KeyedRateLimiter`'s keys): random requests
 * on two keys, with reads of any key at random moments on a clock shifted from the users' — up to
 * an hour ahead, or behind — start exactly when they start without the reads.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import { limits } from "./arrivals.js"
import { shifted } from "./clocks.js"

const scenario = Gen.record({
  ...limits,
  requests: Gen.array(
    Gen.record({
      gap: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 30 })),
      cost: Gen.integer({ min: 1, max: 5 }),
      key: Gen.constantFrom("a", "b")
    }),
    { minLength: 1, maxLength: 15 }
  ),
  reads: Gen.array(
    Gen.record({
      at: Gen.integer({ min: 0, max: 200 }),
      offset: Gen.oneof(Gen.integer({ min: -50, max: 50 }), Gen.integer({ min: 0, max: 3_600_000 })),
      key: Gen.constantFrom("a", "b", "c"),
      kind: Gen.constantFrom("stats", "awaitIdle", "awaitSizeBelow")
    }),
    { maxLength: 6 }
  )
})

describe("reads change nothing", () => {
  it.effect.prop(
    "KeyedRateLimiter, each algorithm: reads on a shifted clock leave every start where it was",
    [scenario],
    ([{ algorithm, burst, interval, limit, reads, requests }]) =>
      Effect.gen(function*() {
        const most = algorithm === "token-bucket" ? Math.min(limit, burst) : limit
        /** The start of each request (ms after the run began), with the reads or without. */
        const run = (withReads: boolean) =>
          Effect.gen(function*() {
            const t0 = yield* Clock.currentTimeMillis
            const keyed = yield* KeyedRateLimiter.make<string>({
              limit,
              interval,
              algorithm,
              ...(algorithm === "sliding-window" ? {} : { burst }),
              idleTimeout: 3
            })
            const starts: Array<number | undefined> = requests.map(() => undefined)
            const driver = Effect.gen(function*() {
              const fibers: Array<Fiber.Fiber<void>> = []
              for (const [index, request] of requests.entries()) {
                yield* Effect.sleep(request.gap)
                const cost = 1 + ((request.cost - 1) % most)
                const started = Effect.flatMap(Clock.currentTimeMillis, (at) =>
                  Effect.sync(() => {
                    starts[index] = at - t0
                  }))
                fibers.push(yield* Effect.forkChild(keyed(request.key).withCost(cost)(started)))
              }
              yield* Fiber.joinAll(fibers)
            })
            const readers = Effect.forEach(reads, (read) =>
              Effect.andThen(
                Effect.sleep(read.at),
                Effect.clockWith((clock) => {
                  const limiter = keyed(read.key)
                  const effect = read.kind === "stats"
                    ? limiter.stats
                    : read.kind === "awaitIdle"
                    ? limiter.awaitIdle
                    : limiter.awaitSizeBelow(2)
                  return Effect.provideService(effect, Clock.Clock, shifted(clock, read.offset))
                })
              ), { concurrency: "unbounded", discard: true })
            yield* TestTime.run(
              withReads ? Effect.all([driver, readers], { concurrency: "unbounded", discard: true }) : driver
            )
            return starts
          })
        const without = yield* run(false)
        const withReads = yield* run(true)
        assert.deepStrictEqual(withReads, without, `reads: ${JSON.stringify(reads)}`)
      }),
    { arbitrary: { runs: 150 }, timeout: 120_000 }
  )
})
