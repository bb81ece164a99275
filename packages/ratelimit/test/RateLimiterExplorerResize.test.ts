/**
 * From the eighth review — a pin that passed (no defect found): the sliding window's strictness under the
 * schedule explorer, with resizes of the limit and a pause racing the requests at any op, dropOldest
 * shedding, priorities and interruptions at every step.
 *
 * Promise (README, "Steering a rate limit", Resize): "the sliding window keeps its log of starts
 * and counts it against the new limit" — so every start's window (the closed window of `interval`
 * readings ending at it) holds at most the limit in force when it started; with several resizes
 * in the same instant, at most the largest limit in force at that instant.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Clock, Effect, Exit, Fiber } from "effect"
import * as RateLimiter from "../src/RateLimiter.js"
import { assertOnlyShed } from "./requestRun.js"

const interval = 10

const scenario = (onFull: "fail" | "dropOldest") =>
  Effect.gen(function*() {
    const limiter = yield* Effect.orDie(
      RateLimiter.make({ limit: 2, interval, maxPending: 3, onFull, aging: "2 millis" })
    )
    const starts: Array<number> = []
    // the limits in force, with when each was set (the first at 0)
    const history: Array<{ at: number; limit: number }> = [{ at: 0, limit: 2 }]
    const resizeTo = (limit: number) =>
      Effect.flatMap(Clock.currentTimeMillis, (at) =>
        Effect.andThen(
          Effect.orDie(limiter.resize({ limit })),
          Effect.sync(() => void history.push({ at, limit }))
        ))
    const fibers = yield* Effect.forEach(
      [0, 3, 1, 0, 2, 5, 1, 0],
      (priority, i) =>
        Interleavings.fork(
          Effect.andThen(
            Effect.sleep(i % 3 === 0 ? 0 : i * 2),
            limiter.withPriority(priority)(
              Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => void starts.push(at)))
            )
          )
        )
    )
    const fired = yield* Effect.all([
      Interleavings.race(resizeTo(1)),
      Interleavings.race(resizeTo(3)),
      Interleavings.race(limiter.pause(3))
    ])
    const exits = yield* Effect.forEach(fibers, Fiber.await)
    yield* Effect.all(fired)
    yield* limiter.awaitIdle
    assertOnlyShed(exits)
    // the largest limit in force at any moment of instant t
    const mostAt = (t: number) => {
      let before = history[0]!.limit
      let most = 0
      for (const change of history) {
        if (change.at < t) before = change.limit
        else if (change.at === t) most = Math.max(most, change.limit)
      }
      return Math.max(before, most)
    }
    for (const end of starts) {
      const inWindow = starts.filter((t) => t >= end - interval && t <= end).length
      assert.isAtMost(inWindow, mostAt(end), `window ending ${end}: ${starts.join(",")} ${JSON.stringify(history)}`)
    }
    const stats = yield* limiter.stats
    assert.strictEqual(stats.waiting, 0)
    const interrupted = exits.filter((exit) => Exit.hasInterrupts(exit)).length
    assert.isAtLeast(stats.granted, starts.length)
    assert.isAtMost(stats.granted, starts.length + interrupted)
  })

describe("sliding window with racing resizes and a pause, under the schedule explorer", () => {
  for (const onFull of ["fail", "dropOldest"] as const) {
    it.effect(
      `onFull ${onFull}: every start's window holds at most the limit in force`,
      () => Effect.asVoid(Interleavings.explore(scenario(onFull), { schedules: 200, interrupts: true })),
      120_000
    )
  }
})
