/**
 * The local deadlines of the concurrency limiter on Redis are timed on the monotonic clock: a
 * wall clock stepped by NTP neither interrupts a healthy holder nor lets its lease expire under
 * it. (From the second review: both tests failed before the fix.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { delayingProxy, steppedClock } from "./faults.js"
import { eventually, freshName, prefix, url } from "./redis.js"

describe("the concurrency limiter on Redis: a stepped wall clock", { concurrent: false }, () => {
  it.live(
    "the wall clock stepped forward (an NTP correction) while a holder runs: its lease, renewed on Redis's clock, is kept",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("clockstep")
        // Redis 20 ms away (another zone), as far as this process's scripts are concerned
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: yield* delayingProxy(20),
          concurrency: 1,
          leaseTime: "3 seconds"
        })
        const wall = yield* steppedClock
        const holder = yield* Effect.forkChild(
          limiter(Effect.as(Effect.sleep("2 seconds"), "ran")).pipe(Effect.provideService(Clock.Clock, wall.clock))
        )
        yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
        wall.step = 5_000 // the machine's clock is corrected by 5 s; Redis, and the lease, are untouched
        // README: "expiry is judged on Redis's clock (TIME), not a process's"; a holder is interrupted only
        // "if a running holder's lease cannot be renewed before it expires" — here every renewal gets through
        const exit = yield* Effect.exit(Fiber.join(holder))
        assert.deepStrictEqual(exit, Exit.succeed("ran"))
      })),
    20_000
  )

  it.live(
    "the wall clock stepped back while a holder's renewal is on its way: the holder still renews before its lease expires",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("clockback")
        const options = { name, prefix, concurrency: 1, leaseTime: "3 seconds" } as const
        // the holder's process: Redis's replies come 200 ms late (its requests do not)
        const holding = yield* RedisConcurrencyLimiter.make({ ...options, url: yield* delayingProxy(200) })
        const other = yield* RedisConcurrencyLimiter.make({ ...options, url: url() })
        const wall = yield* steppedClock
        let running = 0
        let most = 0
        const inside = (millis: number) =>
          Effect.acquireUseRelease(
            Effect.sync(() => most = Math.max(most, ++running)),
            () => Effect.sleep(Duration.millis(millis)),
            () => Effect.sync(() => running--)
          )
        const holder = yield* Effect.forkChild(
          holding(inside(6_000)).pipe(Effect.provideService(Clock.Clock, wall.clock)),
          { startImmediately: true }
        )
        yield* eventually(Effect.map(other.inside, (n) => n === 1)) // taken (the reply is on its way)
        // its first renewal goes at 1 s and is answered at 1.2 s: the clock steps back 10 s meanwhile
        yield* Effect.sleep("1100 millis")
        wall.step = -10_000
        const next = yield* Effect.forkChild(other(inside(10)))
        const holderExit = yield* Effect.exit(Fiber.join(holder))
        yield* Fiber.join(next)
        // README: "At most `concurrency` effects run at once across every process"; a holder that cannot
        // renew "is interrupted — when the lease, as last confirmed, expires"
        assert.strictEqual(most, 1, `two effects inside at once (the holder ended ${holderExit._tag})`)
      })),
    30_000
  )
})
