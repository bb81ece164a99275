/**
 * `Occupancy` (what `awaitIdle` and `awaitSizeBelow` of a `RedisConcurrencyLimiter` watch), on the
 * TestClock, with requests that wait, fail or go in and leave at random times: a watcher returns only
 * if the state it waits for held at some moment since it started waiting — never in a gap between
 * a request's steps (the review-8 defect: a request seen neither waiting nor inside).
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Duration, Effect, Fiber } from "effect"
import { Occupancy } from "../src/internal/redis/occupancy.js"

const scenario = Gen.record({
  requests: Gen.array(
    Gen.record({
      at: Gen.integer({ min: 0, max: 40 }),
      waits: Gen.integer({ min: 0, max: 20 }),
      fails: Gen.boolean,
      holds: Gen.integer({ min: 0, max: 20 })
    }),
    { minLength: 1, maxLength: 10 }
  ),
  // size 0: awaitIdle; else awaitSizeBelow(size)
  watchers: Gen.array(Gen.record({ at: Gen.integer({ min: 0, max: 60 }), size: Gen.integer({ min: 0, max: 3 }) }), {
    minLength: 1,
    maxLength: 6
  })
})

describe("Occupancy (the waiting and inside counts of a RedisConcurrencyLimiter)", () => {
  it.effect.prop(
    "awaitIdle returns only after a moment with nothing waiting or inside, awaitSizeBelow(n) after one with fewer than n waiting",
    [scenario],
    ([{ requests, watchers }]) =>
      Effect.gen(function*() {
        const occupancy = new Occupancy()
        // the truth, kept by the requests themselves, and each change numbered
        let waiting = 0
        let inside = 0
        let change = 0
        const lastHeld = new Map<number, number>() // size (0: idle) → the last change after which it held
        const changed = () => {
          change++
          if (waiting === 0 && inside === 0) lastHeld.set(0, change)
          for (let size = 1; size <= 3; size++) if (waiting < size) lastHeld.set(size, change)
        }
        changed()
        const request = ({ fails, holds, waits }: (typeof requests)[number]) =>
          Effect.gen(function*() {
            waiting++
            changed()
            const admitted = yield* Effect.exit(occupancy.admit(
              Effect.sleep(Duration.millis(waits)).pipe(
                Effect.andThen(fails ? Effect.fail("refused") : Effect.void),
                Effect.onExit((exit) =>
                  Effect.sync(() => {
                    waiting--
                    if (exit._tag === "Success") inside++
                    changed()
                  })
                )
              )
            ))
            if (admitted._tag === "Failure") return
            yield* Effect.sleep(Duration.millis(holds))
            inside--
            changed()
            occupancy.left()
          })
        const watch = (size: number) =>
          Effect.gen(function*() {
            const since = change
            yield* size === 0 ? occupancy.awaitIdle : occupancy.awaitSizeBelow(size)
            assert.isAtLeast(lastHeld.get(size) ?? -1, since, `the watcher of ${size} returned in a gap`)
          })
        yield* TestTime.run(Effect.gen(function*() {
          const fibers = [
            ...(yield* Effect.forEach(requests, (r) =>
              Effect.forkChild(Effect.andThen(Effect.sleep(Duration.millis(r.at)), request(r))))),
            ...(yield* Effect.forEach(watchers, (w) =>
              Effect.forkChild(Effect.andThen(Effect.sleep(Duration.millis(w.at)), watch(w.size)))))
          ]
          yield* Effect.forEach(fibers, Fiber.join)
        }))
        assert.deepStrictEqual([occupancy.waiting, occupancy.inside], [0, 0])
      }),
    { arbitrary: { runs: 60 } }
  )
})
