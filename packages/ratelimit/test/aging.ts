/**
 * The aging guarantee written out apart from the limiters, for the property of every ranked line
 * (`ConcurrencyLimiter`, `RateLimiter`, `KeyedConcurrencyLimiter`'s one line over all keys): with
 * `aging: d`, a waiter is overtaken only by later arrivals within `(their priority − its
 * priority) × d` after it. Random arrivals at random times on the TestClock (`TestTime.run`).
 */
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect } from "effect"

export interface Arrival {
  /** Milliseconds after the start. */
  readonly at: number
  readonly priority: number
}

/** Up to 25 arrivals in the first 200 ms, priorities 0 to 3. */
export const arrivals = Gen.array(
  Gen.record({ at: Gen.integer({ min: 0, max: 200 }), priority: Gen.integer({ min: 0, max: 3 }) }),
  { minLength: 1, maxLength: 25 }
)

/**
 * Runs every arrival at its time, through `enter(arrival, index, served)`: the limited effect it
 * returns must run `served` when the arrival is let through. The indexes, in the order served.
 */
export const serveAll = <E>(
  all: ReadonlyArray<Arrival>,
  enter: (arrival: Arrival, index: number, served: Effect.Effect<void>) => Effect.Effect<unknown, E>
): Effect.Effect<Array<number>, unknown> =>
  Effect.suspend(() => {
    const order: Array<number> = []
    return Effect.as(
      TestTime.run(
        Effect.forEach(
          all,
          (arrival, i) =>
            Effect.andThen(Effect.sleep(arrival.at), enter(arrival, i, Effect.sync(() => void order.push(i)))),
          { concurrency: "unbounded", discard: true }
        )
      ),
      order
    )
  })

/**
 * The pairs served out of arrival order whose gap the later one's priority did not pay for:
 * empty when the aging guarantee held.
 */
export const overtakenBeyond = (
  all: ReadonlyArray<Arrival>,
  served: ReadonlyArray<number>,
  aging: number
): Array<string> => {
  const broken: Array<string> = []
  for (let x = 0; x < served.length; x++) {
    for (let y = x + 1; y < served.length; y++) {
      const first = all[served[x]!]!
      const second = all[served[y]!]!
      if (first.at > second.at && first.at - second.at > (first.priority - second.priority) * aging) {
        broken.push(
          `#${served[x]} (at ${first.at}, priority ${first.priority}) before #${
            served[y]
          } (at ${second.at}, priority ${second.priority})`
        )
      }
    }
  }
  return broken
}

/**
 * A pattern that strict ranks break and aging 10 ms keeps, when each arrival is served in about
 * 7 ms: priority-0 requests waiting from 2 ms while priority-3 ones arrive every 5 ms, faster than
 * they are served — strictly, those arriving up to 98 ms go first (3 × 10 ms pays for 30). (Two
 * wait at priority 0: a rate limiter's first waiter holds the turn, and keeps it.)
 */
export const starving: ReadonlyArray<Arrival> = [
  { at: 0, priority: 0 },
  { at: 1, priority: 0 },
  { at: 2, priority: 0 },
  ...Array.from({ length: 20 }, (_, i) => ({ at: 3 + 5 * i, priority: 3 }))
]
