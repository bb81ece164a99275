import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

const options = { schedules: 300, interrupts: true } as const

describe("FiberPool steering under the schedule explorer", () => {
  for (const onFull of ["wait", "fail", "dropOldest"] as const) {
    it.effect(`onFull ${onFull}: bound, priorities, resize, cancels and interruptions — counts right, nothing stuck`, () =>
      Interleavings.explore(
        Effect.scoped(Effect.gen(function*() {
          const pool = yield* Effect.orDie(FiberPool.make({ concurrency: 1, maxPending: 1, onFull }))
          let running = 0
          const over: Array<number> = []
          const task = Effect.acquireUseRelease(
            Effect.sync(() => {
              if (++running > 2) over.push(running)
            }),
            () => Effect.sleep(2),
            () => Effect.sync(() => void running--)
          )
          const submitters = yield* Effect.forEach([0, 2, 1, 0, 3], (priority) =>
            Interleavings.fork(
              Effect.flatMap(pool.submit(task, { priority }), (future) => Effect.exit(future.result))
            ))
          const resizer = yield* Interleavings.fork(Effect.andThen(Effect.sleep(1), pool.resize(2)))
          const shrink = yield* Interleavings.fork(Effect.andThen(Effect.sleep(3), pool.resize(1)))
          for (const f of [...submitters, resizer, shrink] as Array<Fiber.Fiber<unknown, unknown>>) {
            yield* Fiber.await(f)
          }
          yield* pool.awaitIdle
          assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [0, 0])
          assert.deepStrictEqual(over, [])
          assert.strictEqual(running, 0)
        })),
        options
      ))
  }
})
