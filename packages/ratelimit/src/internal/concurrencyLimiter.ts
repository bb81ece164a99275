import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Priority from "@fiberkit/sync/Priority"
import * as Effect from "effect/Effect"
import type * as Api from "../ConcurrencyLimiter.js"
import { InvalidOptions } from "../Errors.js"
import { LimitCore } from "./limitCore.js"
import { recording } from "./recording.js"
import { resolveSteering } from "./steering.js"

const invalid = (operation: string, field: string, expected: string, value: unknown) =>
  Effect.fail(new InvalidOptions({ operation, field, expected, value }))

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1

/**
 * A limiter is a `LimitCore` (ranked, resizable, optionally bounded permits) around each effect,
 * recorded in a Timeline when there is one.
 *
 * @internal
 */
export const make = (
  options: Api.ConcurrencyLimiter.Options
): Effect.Effect<Api.ConcurrencyLimiter<PendingLimitExceeded>, InvalidOptions> =>
  Effect.suspend(() => {
    const op = "ConcurrencyLimiter.make"
    const n = options.concurrency
    if (!isCount(n)) return invalid(op, "concurrency", "an integer ≥ 1", n)
    return Effect.flatMap(resolveSteering(op, options), ({ agingMillis, maxPending, onFull }) => {
      const ranking = new Priority.Ranking("ConcurrencyLimiter.withPriority", agingMillis)
      const core = new LimitCore(n, { source: "ConcurrencyLimiter", maxPending, onFull })
      return Effect.map(recording("ConcurrencyLimiter", options.name), (recorded) => {
        recorded?.limited(n)
        // the rank is taken at arrival, before the Timeline's record of the wait begins
        const run = <A, E, R>(effect: Effect.Effect<A, E, R>, priority: number) =>
          ranking.withRank(priority, (rank) =>
            recorded === undefined
              ? core.enter(effect, rank)
              : recorded.track((started) => core.enter(Effect.andThen(started, effect), rank)))
        const limiter = Object.assign(<A, E, R>(effect: Effect.Effect<A, E, R>) => run(effect, 0), {
          inside: Effect.sync(() => core.inside),
          waiting: Effect.sync(() => core.waiting),
          withPriority: (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) => run(effect, priority),
          resize: (concurrency: number) =>
            isCount(concurrency)
              ? Effect.sync(() => {
                core.resize(concurrency)
                recorded?.limited(concurrency)
              })
              : invalid("ConcurrencyLimiter.resize", "concurrency", "an integer ≥ 1", concurrency),
          awaitIdle: core.awaitIdle,
          awaitSizeBelow: (size: number) => core.awaitSizeBelow(size)
        })
        return Object.defineProperty(limiter, "concurrency", { get: () => core.total, enumerable: true }) as
          & typeof limiter
          & { readonly concurrency: number }
      })
    })
  })
