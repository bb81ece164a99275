/**
 * KeyedConcurrencyLimiter under the schedule explorer: resizes of perKey and global (up
 * and down, separately) racing arrivals of several keys with priorities, dropOldest over all keys
 * and interruption at any step. The promises: at most `perKey` per key and `global` in all (the
 * larger of the limits in force, as a shrink preempts no one), `maxPending` never exceeded, a shed
 * or interrupted effect never runs, each effect runs at most once, and nothing is left behind.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Exit, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

describe("KeyedConcurrencyLimiter under the explorer: resizes racing arrivals and interrupts", () => {
  for (const aging of [undefined, "1 millis"] as const) {
    it.effect(`pin (aging ${aging}): resizes racing arrivals, dropOldest, interrupts — bounds held, nothing ran twice or leaked`, () =>
      Interleavings.explore(
        Effect.gen(function*() {
          const limit = yield* Effect.orDie(
            KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2, maxPending: 3, onFull: "dropOldest", aging })
          )
          const perKey = new Map<string, number>()
          let all = 0
          const runs = new Map<number, number>()
          const over: Array<string> = []
          const body = (i: number, key: string) =>
            Effect.acquireUseRelease(
              Effect.sync(() => {
                runs.set(i, (runs.get(i) ?? 0) + 1)
                const n = (perKey.get(key) ?? 0) + 1
                perKey.set(key, n)
                all++
                // the largest limits ever in force: perKey 2, global 3
                if (n > 2 || all > 3) over.push(`#${i}: ${key}=${n}, all=${all}`)
              }),
              () => Effect.andThen(Effect.sleep(2), limit.waitingAll),
              () => Effect.sync(() => void (perKey.set(key, perKey.get(key)! - 1), all--))
            )
          const uses = [["a", 0], ["a", 3], ["b", 1], ["a", 2], ["c", 5], ["b", 0], ["a", 1]] as const
          const fibers = yield* Effect.forEach(
            uses,
            ([key, priority], i) => Interleavings.fork(Effect.exit(limit.withPriority(key, priority)(body(i, key))))
          )
          const resizers = yield* Effect.forEach(
            [
              [1, { perKey: 2 }],
              [1, { global: 3 }],
              [2, { perKey: 1 }],
              [3, { global: 1 }],
              [4, { perKey: 2 }],
              [5, { global: 2 }]
            ] as const,
            ([at, sizes]) => Interleavings.fork(Effect.andThen(Effect.sleep(at), Effect.orDie(limit.resize(sizes))))
          )
          for (const [i, fiber] of fibers.entries()) {
            const exit = yield* Fiber.await(fiber)
            if (Exit.isSuccess(exit)) {
              const inner = exit.value
              if (Exit.isSuccess(inner) && inner.value > 3) over.push(`${inner.value} waiting`)
              if (Exit.isFailure(inner) && !Exit.hasInterrupts(inner) && runs.has(i)) over.push(`#${i} shed but ran`)
              if (Exit.isSuccess(inner) && runs.get(i) !== 1) over.push(`#${i} succeeded, ran ${runs.get(i)} times`)
            }
          }
          for (const f of resizers) yield* Fiber.await(f)
          for (const [i, n] of runs) if (n > 1) over.push(`#${i} ran ${n} times`)
          assert.deepStrictEqual(over, [])
          assert.deepStrictEqual(
            [yield* limit.keys, yield* limit.insideAll, yield* limit.waitingAll, all],
            [0, 0, 0, 0]
          )
        }),
        { schedules: 400, interrupts: true }
      ))
  }
})
