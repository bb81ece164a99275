import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Clock, Effect, Exit, Fiber } from "effect"
import * as RateLimiter from "../src/RateLimiter.js"
import { assertAllowed, type Start } from "./guarantees.js"
import { assertOnlyShed } from "./requestRun.js"

const options = { schedules: 150, interrupts: true } as const

const scenario = (
  algorithm: RateLimiter.RateLimiter.Algorithm,
  onFull: "fail" | "dropOldest",
  extra: "pause" | "drain" | "none",
  aging: boolean
) =>
  Interleavings.explore(
    Effect.gen(function*() {
      const limiter = yield* Effect.orDie(
        RateLimiter.make({
          limit: 2,
          interval: 10,
          algorithm,
          ...(algorithm === "sliding-window" ? {} : { burst: 2 }),
          maxPending: 2,
          onFull,
          ...(aging ? { aging: "2 millis" } : {})
        })
      )
      const starts: Array<Start> = []
      const fibers = yield* Effect.forEach(
        [0, 3, 1, 0, 2, 5, 1],
        (priority) =>
          Interleavings.fork(
            limiter.withPriority(priority)(
              Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => void starts.push({ at, cost: 1 })))
            )
          )
      )
      const other = yield* Interleavings.fork(
        Effect.andThen(
          Effect.sleep(3),
          extra === "pause" ? limiter.pause(4) : extra === "drain" ? limiter.drain : Effect.void
        )
      )
      const exits = yield* Effect.forEach(fibers, Fiber.await)
      yield* Fiber.await(other)
      yield* limiter.awaitIdle
      assertOnlyShed(exits)
      assertAllowed(limiter.options, 10, starts)
      const stats = yield* limiter.stats
      assert.strictEqual(stats.waiting, 0)
      const interrupted = exits.filter((exit) => Exit.hasInterrupts(exit)).length
      assert.isAtLeast(stats.granted, starts.length)
      assert.isAtMost(stats.granted, starts.length + interrupted)
    }),
    options
  )

describe("RateLimiter under the schedule explorer — bound, shed and interrupted requests use nothing", () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    for (const onFull of ["fail", "dropOldest"] as const) {
      for (const extra of ["pause", "drain"] as const) {
        it.effect(`${algorithm} ${onFull} ${extra}`, () => scenario(algorithm, onFull, extra, true), 120_000)
      }
    }
  }
})
