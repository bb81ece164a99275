import * as Semaphore from "@fiberkit/sync/Semaphore"
import * as Effect from "effect/Effect"
import type * as Api from "../ConcurrencyLimiter.js"
import { InvalidOptions } from "../Errors.js"
import { recording } from "./recording.js"

/**
 * A limiter is a `Semaphore` of `concurrency` permits around each effect, recorded in a Timeline
 * when there is one.
 *
 * @internal
 */
export const make = (options: Api.ConcurrencyLimiter.Options): Effect.Effect<Api.ConcurrencyLimiter, InvalidOptions> =>
  Effect.suspend(() => {
    const n = options.concurrency
    if (!Number.isSafeInteger(n) || n < 1) {
      return Effect.fail(
        new InvalidOptions({
          operation: "ConcurrencyLimiter.make",
          field: "concurrency",
          expected: "an integer ≥ 1",
          value: n
        })
      )
    }
    return Effect.zipWith(
      Effect.orDie(Semaphore.make(n)),
      recording("ConcurrencyLimiter", options.name),
      (semaphore, recorded) =>
        Object.assign(
          <A, E, R>(effect: Effect.Effect<A, E, R>) =>
            recorded === undefined
              ? semaphore.withPermit(effect)
              : recorded.track((started) => semaphore.withPermit(Effect.andThen(started, effect))),
          {
            concurrency: n,
            inside: Effect.map(semaphore.available, (available) => n - available),
            waiting: semaphore.waiting
          }
        )
    )
  })
