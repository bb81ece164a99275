/**
 * A token bucket's and GCRA's resizes are exact (the tenth review found float and 2^53 roundings in
 * them: starts a millisecond early, late ones piling up): on the algorithms themselves, random
 * starts, drains and resizes — to coprime intervals, to any limit and burst, to the same numbers —
 * leave every decision (when a start of each cost may come, what is available, whether at rest)
 * exactly where the README's algorithm, computed in fractions of BigInts, puts it: never a
 * millisecond early, never one late.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import { Gcra, TokenBucket } from "../src/internal/algorithms.js"
import type { Algorithm } from "../src/internal/algorithms.js"
import { ExactBucket, ExactGcra } from "./exactModels.js"
import type { Exact } from "./exactModels.js"

/** The limiter's algorithm, seen through the operations the models have. */
class Implemented implements Exact {
  constructor(private algorithm: Algorithm) {}
  earliest(now: number, cost: number) {
    return this.algorithm.earliest(now, cost)
  }
  start(now: number, cost: number) {
    this.algorithm.commit(now, cost)
  }
  available(now: number) {
    return this.algorithm.available(now)
  }
  atRest(now: number) {
    return this.algorithm.atRest(now)
  }
  drain(now: number) {
    this.algorithm.drain(now)
  }
  resize(now: number, burst: number, limit: number, interval: number) {
    this.algorithm = this.algorithm.resized(now, burst, limit, interval)
  }
}

const primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 999_983, 1_000_003, 1_000_033]
const numbers = Gen.record({
  burst: Gen.integer({ min: 1, max: 6 }),
  limit: Gen.oneof(Gen.integer({ min: 1, max: 7 }), Gen.integer({ min: 1, max: 100_000 })),
  interval: Gen.oneof(Gen.constantFrom(...primes), Gen.integer({ min: 1, max: 100_000 }))
})
const scenario = Gen.record({
  algorithm: Gen.constantFrom("token-bucket", "gcra"),
  numbers,
  steps: Gen.array(
    Gen.record({
      gap: Gen.integer({ min: 0, max: 60 }),
      cost: Gen.integer({ min: 1, max: 8 }),
      // before the start: new numbers, the same numbers again, or nothing; sometimes a drain
      resize: Gen.option(Gen.oneof(numbers, Gen.constant("same" as const)), { nil: undefined }),
      drain: Gen.map(Gen.integer({ min: 0, max: 9 }), (n) => n === 0)
    }),
    { minLength: 1, maxLength: 40 }
  )
})

describe("token bucket and GCRA resized at random, against the exact algorithm", () => {
  it.effect.prop(
    "every decision is the exact algorithm's, to the millisecond",
    [scenario],
    ([{ algorithm, numbers: initial, steps }]) =>
      Effect.sync(() => {
        const { burst, interval, limit } = initial
        const [implemented, exact]: [Exact, Exact] = algorithm === "gcra"
          ? [new Implemented(new Gcra(burst, limit, interval)), new ExactGcra(burst, limit, interval)]
          : [new Implemented(new TokenBucket(burst, limit, interval)), new ExactBucket(burst, limit, interval)]
        let current = initial
        let now = 0
        for (const [i, step] of steps.entries()) {
          now += step.gap
          if (step.resize !== undefined) {
            current = step.resize === "same" ? current : step.resize
            for (const limiter of [implemented, exact]) {
              limiter.resize(now, current.burst, current.limit, current.interval)
            }
          }
          if (step.drain) {
            for (const limiter of [implemented, exact]) {
              limiter.drain(now)
            }
          }
          for (let cost = 1; cost <= current.burst + 1; cost++) {
            assert.strictEqual(implemented.earliest(now, cost), exact.earliest(now, cost), `step ${i}, cost ${cost}`)
          }
          assert.strictEqual(implemented.available(now), exact.available(now), `step ${i}: available`)
          assert.strictEqual(implemented.atRest(now), exact.atRest(now), `step ${i}: at rest`)
          now = exact.earliest(now, step.cost)
          for (const limiter of [implemented, exact]) limiter.start(now, step.cost)
        }
      }),
    { arbitrary: { runs: 400 } }
  )
})

/** The primes from `from` (exclusive) up, `count` of them. */
const primesAbove = (from: number, count: number): Array<number> => {
  const found: Array<number> = []
  for (let n = from + 1; found.length < count; n++) {
    let prime = true
    for (let d = 2; d * d <= n && prime; d++) prime = n % d !== 0
    if (prime) found.push(n)
  }
  return found
}

describe("a hundred and twenty resizes through coprime intervals, the bucket never full", () => {
  // each resize leaves a fraction of a unit over a new prime: the carried remainder's denominator
  // would be their product (some 2,400 bits); past 2^128 it is rounded toward later
  const intervals = primesAbove(1_000_000, 120)
  for (const algorithm of ["token-bucket", "gcra"] as const) {
    it.effect(`${algorithm}: every decision is still the exact algorithm's`, () =>
      Effect.sync(() => {
        const [implemented, exact]: [Exact, Exact] = algorithm === "gcra"
          ? [new Implemented(new Gcra(2, 1, 999_983)), new ExactGcra(2, 1, 999_983)]
          : [new Implemented(new TokenBucket(2, 1, 999_983)), new ExactBucket(2, 1, 999_983)]
        for (const limiter of [implemented, exact]) limiter.drain(0)
        let now = 0
        for (const [i, interval] of intervals.entries()) {
          now += 997 // 120 × 997 ms: not a token's worth of any of these intervals
          for (const limiter of [implemented, exact]) limiter.resize(now, 2, 1, interval)
          for (const cost of [1, 2]) {
            assert.strictEqual(implemented.earliest(now, cost), exact.earliest(now, cost), `resize ${i}, cost ${cost}`)
          }
          assert.isFalse(implemented.atRest(now), `resize ${i}: at rest`)
        }
      }))
  }
})
