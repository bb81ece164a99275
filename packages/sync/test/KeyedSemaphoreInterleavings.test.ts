import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as KeyedSemaphore from "../src/KeyedSemaphore.js"

describe("KeyedSemaphore under the schedule explorer", () => {
  it.effect("mixed counts, resizes and interruptions: per-key bound held, keys forgotten, nothing leaked", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const perKey = yield* Effect.orDie(KeyedSemaphore.make<string>(2))
        const held = new Map<string, number>()
        let bound = 2
        const over: Array<string> = []
        const use = (key: string, n: number) =>
          perKey.withPermits(key, n)(
            Effect.acquireUseRelease(
              Effect.sync(() => {
                const now = (held.get(key) ?? 0) + n
                held.set(key, now)
                if (now > bound) over.push(`${key}: ${now} > ${bound}`)
              }),
              () => Effect.sleep(2),
              () => Effect.sync(() => void held.set(key, held.get(key)! - n))
            )
          )
        const fibers = yield* Effect.forEach(
          [["a", 1], ["a", 2], ["b", 1], ["a", 1], ["b", 2], ["a", 1]] as const,
          ([k, n]) => Interleavings.fork(use(k, n))
        )
        const grow = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(1), Effect.andThen(Effect.sync(() => void (bound = 3)), perKey.resize(3)))
        )
        for (const f of [...fibers, grow] as Array<Fiber.Fiber<unknown, unknown>>) yield* Fiber.await(f)
        assert.strictEqual(yield* perKey.keys, 0)
        assert.deepStrictEqual(over, [])
        for (const k of ["a", "b"]) {
          assert.strictEqual(yield* perKey.available(k), perKey.permits)
          assert.strictEqual(held.get(k) ?? 0, 0)
        }
      }),
      { schedules: 300, interrupts: true }
    ))
})
