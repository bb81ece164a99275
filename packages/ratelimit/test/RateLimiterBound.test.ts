/**
 * A rate limiter with a bound on its line (`maxPending`, `onFull`), on random arrivals, costs,
 * priorities and interruptions on the TestClock, checked apart from the limiter's code
 * (`requestRun.ts`, `guarantees.ts`, `aging.ts`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import * as RateLimiter from "../src/RateLimiter.js"
import * as Aging from "./aging.js"
import { checkAnyOrder, checkFifo, runRequests } from "./requestRun.js"

const numbers = {
  algorithm: Gen.constantFrom<RateLimiter.RateLimiter.Algorithm>("sliding-window", "token-bucket", "gcra"),
  limit: Gen.integer({ min: 1, max: 4 }),
  interval: Gen.integer({ min: 1, max: 40 }),
  burst: Gen.integer({ min: 1, max: 5 }),
  maxPending: Gen.integer({ min: 0, max: 4 }),
  onFull: Gen.constantFrom("fail" as const, "dropOldest" as const)
}

const request = {
  gap: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 40 })),
  cost: Gen.integer({ min: 1, max: 4 }),
  interruptAfter: Gen.option(Gen.integer({ min: 0, max: 80 }), { nil: undefined })
}

interface Numbers {
  readonly algorithm: RateLimiter.RateLimiter.Algorithm
  readonly limit: number
  readonly interval: number
  readonly burst: number
  readonly maxPending: number
  readonly onFull: "fail" | "dropOldest"
}

const make = ({ algorithm, burst, interval, limit, maxPending, onFull }: Numbers, aging?: number) =>
  RateLimiter.make({
    limit,
    interval,
    algorithm,
    ...(algorithm === "sliding-window" ? {} : { burst }),
    maxPending,
    onFull,
    ...(aging === undefined ? {} : { aging })
  })

describe("RateLimiter with a bound: properties", () => {
  it.effect.prop(
    "first come, first served: never more than maxPending waiting; the guarantee at every start, none later than needed — a refused or dropped request used nothing",
    [Gen.record({ ...numbers, requests: Gen.array(Gen.record(request), { minLength: 1, maxLength: 20 }) })],
    ([scenario]) =>
      Effect.gen(function*() {
        const limiter = yield* make(scenario)
        const most = scenario.algorithm === "token-bucket"
          ? Math.min(scenario.limit, limiter.options.burst)
          : scenario.limit
        const waiting: Array<number> = []
        const sample = Effect.map(limiter.stats, (stats) => void waiting.push(stats.waiting))
        const run = yield* runRequests(limiter, scenario.requests, (r) => 1 + ((r.cost - 1) % most), sample)
        assert.isAtMost(Math.max(...waiting), scenario.maxPending, `waiting: ${waiting.join(",")}`)
        checkFifo(limiter.options, scenario.interval, run, yield* limiter.stats)
      }),
    { arbitrary: { runs: 150 }, timeout: 120_000 }
  )

  it.effect.prop(
    "by priority, with or without aging: the guarantee at every start; every request not interrupted or shed starts, granted once; with aging, no overtaking beyond the bound",
    [
      Gen.record({
        ...numbers,
        aged: Gen.boolean,
        requests: Gen.array(Gen.record({ ...request, priority: Gen.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 20
        })
      })
    ],
    ([scenario]) =>
      Effect.gen(function*() {
        const aging = 10
        const limiter = yield* make(scenario, scenario.aged ? aging : undefined)
        const run = yield* runRequests(limiter, scenario.requests, () => 1)
        checkAnyOrder(limiter.options, scenario.interval, run, yield* limiter.stats)
        if (scenario.aged) {
          const arrivals = run.outcomes.map((o, i) => ({ at: o.arrival, priority: scenario.requests[i]!.priority }))
          assert.deepStrictEqual(Aging.overtakenBeyond(arrivals, run.order, aging), [])
        }
      }),
    { arbitrary: { runs: 150 }, timeout: 120_000 }
  )
})
