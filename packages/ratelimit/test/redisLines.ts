/**
 * The lines of the limiters on Redis with Redis played in memory, for tests on the TestClock and
 * under the schedule explorer: a `RateLine` whose takes the local algorithm decides, and a
 * `LeaseLine` on a fake connection.
 */
import { Effect } from "effect"
import type { RedisLimiterUnavailable } from "../src/Errors.js"
import { algorithmOf } from "../src/internal/rateLimiter.js"
import type { Connection } from "../src/internal/redis/connection.js"
import { LeaseLine } from "../src/internal/redis/leaseLine.js"
import { RateLine } from "../src/internal/redis/rateLine.js"
import { PendingBound } from "../src/internal/redis/steering.js"
import type * as RateLimiter from "../src/RateLimiter.js"

/** A rate line (its loop running in the scope) whose takes the local algorithm of `options` decides, as Redis would (waits in µs). */
export const rateLineOf = (options: RateLimiter.RateLimiter.Resolved) =>
  Effect.gen(function*() {
    const state = algorithmOf(options)
    const take = (costs: ReadonlyArray<number>) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const now = clock.currentTimeMillisUnsafe()
          let started = 0
          for (const cost of costs) {
            const at = state.earliest(now, cost)
            if (at > now) return { started, wait: (at - now) * 1000 }
            state.commit(now, cost)
            started++
          }
          return { started, wait: 0 }
        })
      )
    const line = new RateLine(take, () => state.capacity, new PendingBound("test", undefined, "fail"), "test")
    yield* Effect.forkScoped(line.loop)
    return line
  })

/** What a fake connection is asked: the operation (`"acquire"`, `"poll"`, `"release"`…) and the script's arguments. */
export interface Call {
  readonly operation: string
  readonly args: ReadonlyArray<string | number>
}

/**
 * A lease line of limit 1 (lease 3 s, poll every second, its loop running in the scope) whose
 * Redis answers each script with `respond`.
 */
export const leaseLineOf = (
  respond: (call: Call) => Effect.Effect<unknown, RedisLimiterUnavailable>,
  giveBack: (member: string) => void,
  maxPending?: number
) =>
  Effect.gen(function*() {
    const connection = {
      run: (operation: string, _script: unknown, _keys: unknown, args: ReadonlyArray<string | number>) =>
        Effect.suspend(() => respond({ operation, args }))
    } as unknown as Connection
    let count = 0
    const line = new LeaseLine(connection, [], {
      name: "test",
      nextId: () => `id${++count}`,
      limit: 1,
      leaseMillis: 3000,
      pollMillis: 1000,
      agingMillis: undefined,
      bound: new PendingBound("RedisConcurrencyLimiter", maxPending, "dropOldest"),
      giveBack,
      clock: yield* Effect.clockWith(Effect.succeed)
    })
    yield* Effect.forkScoped(line.loop)
    return line
  })
