import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import { assertAllowed, type Start } from "./guarantees.js"
import { assertOnlyShed } from "./requestRun.js"

describe("KeyedRateLimiter under the schedule explorer", () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    it.effect(
      `KeyedRateLimiter ${algorithm}: dropOldest per key + idle forgetting + pause + interrupts`,
      () =>
        Interleavings.explore(
          Effect.gen(function*() {
            const keyed = yield* Effect.orDie(
              KeyedRateLimiter.make<string>({
                limit: 1,
                interval: 5,
                algorithm,
                maxPending: 1,
                onFull: "dropOldest",
                idleTimeout: 1,
                aging: 1
              })
            )
            const starts = new Map<string, Array<Start>>()
            const fibers = yield* Effect.forEach(
              [["a", 0], ["a", 2], ["b", 1], ["a", 1], ["b", 0], ["a", 3]] as const,
              ([key, priority], i) =>
                Interleavings.fork(
                  Effect.andThen(
                    Effect.sleep(i % 3),
                    keyed(key).withPriority(priority)(
                      Effect.flatMap(
                        Clock.currentTimeMillis,
                        (at) => Effect.sync(() => void starts.set(key, [...(starts.get(key) ?? []), { at, cost: 1 }]))
                      )
                    )
                  )
                )
            )
            const pauser = yield* Interleavings.fork(Effect.andThen(Effect.sleep(2), keyed.pause("a", 3)))
            const exits = yield* Effect.forEach(fibers, Fiber.await)
            yield* Fiber.await(pauser)
            assertOnlyShed(exits)
            for (const [key, list] of starts) {
              assertAllowed(keyed(key).options, 5, list, `${key}: `)
            }
            yield* Effect.sleep(100)
            yield* keyed("c").take() // a use: sweeps (a read such as `stats` changes nothing)
            assert.strictEqual(yield* keyed.size, 1)
          }),
          { schedules: 300, interrupts: true }
        ),
      120_000
    )
  }
})
