import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type { InvalidOptions, RedisLimiterUnavailable } from "../../Errors.js"
import type * as Api from "../../RedisRateLimiter.js"
import { checkCost, resolve } from "../rateLimiter.js"
import { recording } from "../recording.js"
import { connect, sleepMillis } from "./connection.js"
import * as Scripts from "./scripts.js"

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** Request ids: unique across processes (a random part per limiter) and within one (a counter). @internal */
export const idSource = () => {
  const origin = crypto.randomUUID()
  let count = 0
  return () => `${origin}:${++count}`
}

/** @internal */
export const make = (
  options: Api.Options
): Effect.Effect<Api.DistributedRateLimiter, InvalidOptions | RedisLimiterUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* resolve("RedisRateLimiter.make", options)
    const { connection, prefix } = yield* connect("RedisRateLimiter.make", options.name, options)
    const recorded = yield* recording("RedisRateLimiter", options.name)
    const script = resolved.algorithm === "sliding-window"
      ? Scripts.slidingWindow
      : resolved.algorithm === "token-bucket"
      ? Scripts.tokenBucket
      : Scripts.gcra
    // the algorithm is in the key: limiters of one name but different algorithms never read each other's state
    const keys = [`${prefix}:${options.name}:${resolved.algorithm}`]
    const interval = Duration.toMillis(resolved.interval) * 1000
    const capacity = resolved.algorithm === "sliding-window" ? resolved.limit : resolved.burst
    const nextId = idSource()
    let granted = 0
    let waiting = 0

    const decide = (mode: "take" | "peek", cost: number) =>
      Effect.map(
        connection.run(mode === "take" ? "take" : "read", script, keys, [
          mode,
          cost,
          resolved.limit,
          interval,
          resolved.burst,
          mode === "take" ? nextId() : ""
        ]),
        (reply) => {
          const [wait, available] = reply as [number, number]
          return { wait, available }
        }
      )

    // each try is one script; between tries the fiber sleeps what the script said, interruptibly
    const acquire = (cost: number, restore: Restore): Effect.Effect<void, RedisLimiterUnavailable> => {
      const attempt: Effect.Effect<void, RedisLimiterUnavailable> = Effect.flatMap(decide("take", cost), ({ wait }) => {
        if (wait <= 0) {
          granted++
          return Effect.void
        }
        return Effect.andThen(restore(Effect.sleep(Duration.millis(sleepMillis(wait)))), attempt)
      })
      return Effect.suspend(() => {
        waiting++
        return Effect.ensuring(attempt, Effect.sync(() => waiting--))
      })
    }
    // an impossible cost is a programming mistake: a defect, as for the local limiter
    const take = (cost: number, restore: Restore): Effect.Effect<void, RedisLimiterUnavailable> => {
      const error = checkCost(resolved, cost)
      return error === undefined
        ? acquire(cost, restore)
        : Effect.die(new Cause.IllegalArgumentError(error.message.replace("RateLimiter", "RedisRateLimiter")))
    }
    const withCost = (cost: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.uninterruptibleMask((restore) =>
        recorded === undefined
          ? Effect.andThen(take(cost, restore), restore(effect))
          : recorded.track((started) => Effect.andThen(take(cost, restore), Effect.andThen(started, restore(effect))))
      )
    const limiter: Api.DistributedRateLimiter = Object.assign(
      <A, E, R>(effect: Effect.Effect<A, E, R>) => withCost(1)(effect),
      {
        options: resolved,
        withCost,
        take: (cost = 1) => Effect.uninterruptibleMask((restore) => take(cost, restore)),
        stats: Effect.map(decide("peek", 1), ({ available }) => ({
          granted,
          waiting,
          available,
          usage: capacity - available,
          pausedFor: 0 // a shared limiter is not paused from one process (see the README)
        }))
      }
    )
    return limiter
  })
