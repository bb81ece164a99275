/**
 * What a property test of a limiter records about its requests, on the TestClock: when each
 * arrived, when each started (and in which order), and when each was interrupted before it could.
 */
import { assert } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Clock, Duration, Effect, Fiber } from "effect"
import type * as RateLimiter from "../src/RateLimiter.js"
import { allowed, type Start } from "./guarantees.js"

/** The fields of a random rate limit: each algorithm, small limits and intervals. */
export const limits = {
  algorithm: Gen.constantFrom<RateLimiter.RateLimiter.Algorithm>("sliding-window", "token-bucket", "gcra"),
  limit: Gen.integer({ min: 1, max: 5 }),
  interval: Gen.integer({ min: 1, max: 40 }),
  burst: Gen.integer({ min: 1, max: 6 })
}

export class Arrivals {
  readonly arrivals: Array<number> = []
  readonly started = new Map<number, number>()
  readonly order: Array<number> = []
  readonly interruptedAt = new Map<number, number>()

  /** Notes that request `index` arrives now. */
  readonly arrive = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void this.arrivals.push(now)))

  /** Notes that request `index` starts now: run it as the limited effect. */
  start(index: number): Effect.Effect<void> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.sync(() => {
        this.started.set(index, now)
        this.order.push(index)
      }))
  }

  /** Interrupts request `index`'s `fiber` `after` ms from now, noting when if it had not started. */
  interruptLater(index: number, fiber: Fiber.Fiber<unknown, unknown>, after: number): Effect.Effect<void> {
    return Effect.asVoid(Effect.forkChild(Effect.andThen(
      Effect.sleep(Duration.millis(after)),
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.andThen(
          Effect.sync(() => {
            if (!this.started.has(index)) this.interruptedAt.set(index, now)
          }),
          Fiber.interrupt(fiber)
        ))
    )))
  }
}

/** A request as it went: arrived, started (or not), interrupted (if it did not start). */
export interface Outcome {
  readonly arrival: number
  readonly cost: number
  readonly start: number | undefined
  readonly interruptedAt: number | undefined
}

/**
 * First come, first served and work-conserving, for requests in arrival order: each started keeps
 * the algorithm's guarantee, not before the line ahead of it moved (the last start or leave of an
 * earlier request), and — if it waited — not a millisecond later than the guarantee required.
 */
export const assertEachAsEarlyAsAllowed = (
  options: RateLimiter.RateLimiter.Resolved,
  interval: number,
  requests: ReadonlyArray<Outcome>
): void => {
  const starts: Array<Start> = []
  let blockedUntil = 0
  for (const [index, { arrival, cost, interruptedAt, start }] of requests.entries()) {
    if (start === undefined) {
      blockedUntil = Math.max(blockedUntil, interruptedAt!)
      continue
    }
    const ready = Math.max(arrival, blockedUntil)
    assert.isAtLeast(start, ready, `request ${index} started before its turn`)
    assert.isTrue(allowed(options, interval, starts, start, cost), `request ${index} at ${start} breaks the guarantee`)
    if (start > ready) {
      assert.isFalse(
        allowed(options, interval, starts, start - 1, cost),
        `request ${index} waited until ${start}, but could start at ${start - 1}`
      )
    }
    starts.push({ at: start, cost })
    blockedUntil = Math.max(blockedUntil, start)
  }
}
