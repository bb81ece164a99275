import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

const options = { schedules: 300, interrupts: true } as const

describe("limits under the schedule explorer", () => {
  it.effect("ConcurrencyLimiter: dropOldest + resize + priorities + interruptions — bound held, nothing leaked", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(
          ConcurrencyLimiter.make({ concurrency: 2, maxPending: 2, onFull: "dropOldest" })
        )
        let inside = 0
        let bound = 2
        const over: Array<string> = []
        const body = Effect.acquireUseRelease(
          Effect.sync(() => {
            inside++
            if (inside > bound) over.push(`inside ${inside} > bound ${bound}`)
          }),
          () => Effect.sleep(3),
          () => Effect.sync(() => void inside--)
        )
        const fibers = yield* Effect.forEach(
          [0, 3, 1, 0, 2, 5],
          (p) => Interleavings.fork(Effect.exit(limit.withPriority(p)(body)))
        )
        const resizer = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(1), Effect.andThen(Effect.sync(() => void (bound = 3)), limit.resize(3)))
        )
        const shrink = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(2), limit.resize(1))
        )
        for (const f of [...fibers, resizer, shrink] as Array<Fiber.Fiber<unknown, unknown>>) yield* Fiber.await(f)
        yield* limit.awaitIdle
        assert.strictEqual(yield* limit.inside, 0)
        assert.strictEqual(yield* limit.waiting, 0)
        assert.strictEqual(inside, 0)
        assert.deepStrictEqual(over, [])
      }),
      options
    ))

  it.effect("KeyedConcurrencyLimiter with global: per key and global bounds, keys forgotten, counts back to 0", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 2 }))
        const perKey = new Map<string, number>()
        let all = 0
        const body = (key: string) =>
          Effect.andThen(
            Effect.sync(() => {
              const n = (perKey.get(key) ?? 0) + 1
              perKey.set(key, n)
              all++
              if (n > 2 || all > 3) throw new Error(`over: ${key}=${n}, all=${all}`)
            }),
            Effect.ensuring(
              Effect.sleep(2),
              Effect.sync(() => {
                perKey.set(key, perKey.get(key)! - 1)
                all--
              })
            )
          )
        const fibers = yield* Effect.forEach(
          ["a", "a", "b", "c", "a", "b"],
          (k) => Interleavings.fork(Effect.exit(limit(k)(body(k))))
        )
        const resizer = yield* Interleavings.fork(
          Effect.andThen(Effect.sleep(1), limit.resize({ perKey: 2, global: 3 }))
        )
        for (const f of [...fibers, resizer] as Array<Fiber.Fiber<unknown, unknown>>) yield* Fiber.await(f)
        assert.strictEqual(yield* limit.keys, 0)
        assert.strictEqual(yield* limit.insideAll, 0)
        for (const k of ["a", "b", "c"]) {
          assert.strictEqual(yield* limit.inside(k), 0)
          assert.strictEqual(yield* limit.waiting(k), 0)
        }
      }),
      options
    ))
})
