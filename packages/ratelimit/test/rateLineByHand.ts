/**
 * `RateLine` (the line of a `RedisRateLimiter`) with its takes answered by hand, for the line's
 * tests on the TestClock.
 */
import { Deferred, Effect } from "effect"
import { RateLine, type Started } from "../src/internal/redis/rateLine.js"
import { PendingBound } from "../src/internal/redis/steering.js"

/** A rate line of capacity 10 whose takes wait for the test's answer; the takes asked, in order. */
export const lineByHand = (bound = new PendingBound("test", undefined, "fail")) =>
  Effect.gen(function*() {
    const takes: Array<{ readonly costs: ReadonlyArray<number>; readonly reply: Deferred.Deferred<Started> }> = []
    const line = new RateLine(
      (costs) =>
        Effect.suspend(() => {
          const reply = Deferred.makeUnsafe<Started>()
          takes.push({ costs, reply })
          return Deferred.await(reply)
        }),
      () => 10,
      bound,
      "test"
    )
    yield* Effect.forkScoped(line.loop)
    const acquire = (cost: number, rank: number) =>
      Effect.forkChild(Effect.uninterruptibleMask((restore) => line.acquire(cost, rank, restore)))
    return { line, takes, acquire }
  })

/** Redis's answer: `started` of the costs asked started; the next may start in 10 s. */
export const answer = (started: number): Started => ({ started, wait: 10_000_000 })

/** Lets the line's fibers run up to their next suspension. */
export const settle = Effect.repeat(Effect.yieldNow, { times: 10 })
