/**
 * One run of requests through a rate limiter — random arrivals, costs or priorities,
 * interruptions — and its checks, written apart from the limiter's code: what the rate limiter's
 * properties share (first come, first served or by priority, with and without a bound).
 */
import { assert } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Exit, Fiber } from "effect"
import type * as RateLimiter from "../src/RateLimiter.js"
import { allowed, type Start } from "./guarantees.js"

export interface Request {
  /** Milliseconds after the previous request arrived. */
  readonly gap: number
  readonly cost: number
  /** Interrupted this many milliseconds after it arrives, unless it has finished. */
  readonly interruptAfter: number | undefined
  /** Sent through `withPriority` (cost 1) when given; through `withCost` otherwise. */
  readonly priority?: number | undefined
}

/** What became of each request: when it arrived, and when it started or left without starting. */
export interface Outcome {
  readonly arrival: number
  readonly cost: number
  startedAt: number | undefined
  /** Interrupted, refused or dropped (`PendingLimitExceeded`) before it started. */
  leftAt: number | undefined
  /** Failed with `PendingLimitExceeded`. */
  shed: boolean
  interrupted: boolean
}

/** A run: what became of each request, and the indexes of those that started, in order. */
export interface Run {
  readonly outcomes: ReadonlyArray<Outcome>
  readonly order: ReadonlyArray<number>
}

/**
 * Each request at its time, on the TestClock; the outcomes, and the indexes in the order started.
 * `afterArrival`, if given, runs once each request has had a step to register.
 */
export const runRequests = (
  limiter: RateLimiter.RateLimiter<unknown>,
  requests: ReadonlyArray<Request>,
  costOf: (request: Request) => number,
  afterArrival?: Effect.Effect<void>
): Effect.Effect<Run, unknown> =>
  Effect.gen(function*() {
    const outcomes: Array<Outcome> = []
    const order: Array<number> = []
    const driver = Effect.gen(function*() {
      const fibers: Array<Fiber.Fiber<void, unknown>> = []
      for (const [index, request] of requests.entries()) {
        yield* Effect.sleep(request.gap)
        const outcome: Outcome = {
          arrival: yield* Clock.currentTimeMillis,
          cost: request.priority === undefined ? costOf(request) : 1,
          startedAt: undefined,
          leftAt: undefined,
          shed: false,
          interrupted: false
        }
        outcomes.push(outcome)
        const limited = request.priority === undefined
          ? limiter.withCost(outcome.cost)
          : limiter.withPriority(request.priority)
        const run = limited(Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            outcome.startedAt = now
            order.push(index)
          })))
        const recorded = Effect.onExit(run, (exit) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.sync(() => {
              if (outcome.startedAt !== undefined) return
              outcome.leftAt = now
              outcome.interrupted = Exit.hasInterrupts(exit)
              outcome.shed = Exit.isFailure(exit) && exit.cause.reasons.some((r) =>
                r._tag === "Fail" && (r.error as { _tag?: string })._tag === "PendingLimitExceeded"
              )
            })))
        const fiber = yield* Effect.forkChild(recorded)
        fibers.push(fiber)
        if (request.interruptAfter !== undefined) {
          yield* Effect.forkChild(Effect.andThen(Effect.sleep(request.interruptAfter), Fiber.interrupt(fiber)))
        }
        if (afterArrival !== undefined) yield* Effect.andThen(Effect.yieldNow, afterArrival)
      }
      yield* Effect.forEach(fibers, Fiber.await)
    })
    yield* TestTime.run(driver)
    return { outcomes, order }
  })

/**
 * Starts in arrival order; every request started once or left; every start keeps the algorithm's
 * guarantee and none could have come a millisecond earlier — so a request that left (interrupted,
 * refused, dropped) used none of the limit. The limiter's stats agree: as many granted as
 * started, none waiting.
 */
export const checkFifo = (
  options: RateLimiter.RateLimiter.Resolved,
  interval: number,
  { order, outcomes }: Run,
  stats: RateLimiter.RateLimiter.Stats
) => {
  assert.deepStrictEqual(order, [...order].sort((a, b) => a - b))
  const starts: Array<Start> = []
  let blockedUntil = 0 // the line ahead: the last start or leave of an earlier request
  for (const [index, outcome] of outcomes.entries()) {
    const at = outcome.startedAt
    if (at === undefined) {
      assert.isDefined(outcome.leftAt, `request ${index} neither started nor left`)
      blockedUntil = Math.max(blockedUntil, outcome.leftAt!)
      continue
    }
    const ready = Math.max(outcome.arrival, blockedUntil)
    assert.isAtLeast(at, ready, `request ${index} started before its turn`)
    assert.isTrue(
      allowed(options, interval, starts, at, outcome.cost),
      `request ${index} at ${at} breaks the guarantee`
    )
    if (at > ready) {
      assert.isFalse(
        allowed(options, interval, starts, at - 1, outcome.cost),
        `request ${index} waited until ${at}, but could start at ${at - 1}`
      )
    }
    starts.push({ at, cost: outcome.cost })
    blockedUntil = Math.max(blockedUntil, at)
  }
  assert.strictEqual(stats.granted, starts.length)
  assert.strictEqual(stats.waiting, 0)
}

/**
 * In any order (priorities): every start keeps the algorithm's guarantee, and every request that
 * did not start was interrupted or shed (`PendingLimitExceeded`). The limiter granted exactly the
 * starts made — none for a request interrupted, refused or dropped — and none is left waiting.
 */
export const checkAnyOrder = (
  options: RateLimiter.RateLimiter.Resolved,
  interval: number,
  { order, outcomes }: Run,
  stats: RateLimiter.RateLimiter.Stats
) => {
  for (const [index, outcome] of outcomes.entries()) {
    if (outcome.startedAt === undefined) {
      assert.isTrue(outcome.interrupted || outcome.shed, `request ${index} neither started nor was interrupted or shed`)
    }
  }
  const starts: Array<Start> = []
  for (const index of order) {
    const { cost, startedAt } = outcomes[index]!
    assert.isTrue(
      allowed(options, interval, starts, startedAt!, cost),
      `request ${index} at ${startedAt} breaks the guarantee`
    )
    starts.push({ at: startedAt!, cost })
  }
  assert.strictEqual(stats.granted, starts.length)
  assert.strictEqual(stats.waiting, 0)
}

/** Every request that failed was interrupted or shed (`PendingLimitExceeded`): no other failure. */
export const assertOnlyShed = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>) => {
  for (const exit of exits) {
    if (Exit.isFailure(exit) && !Exit.hasInterrupts(exit)) {
      assert.isTrue(
        exit.cause.reasons.some((r) =>
          r._tag === "Fail" && (r.error as { _tag?: string })._tag === "PendingLimitExceeded"
        ),
        String(exit.cause)
      )
    }
  }
}
