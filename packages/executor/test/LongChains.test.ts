/**
 * Regression (outside review of the Effect 4 port): Effect 4 resumes a waiting fiber inside the
 * call that settles what it waits for, so a chain of futures, each task waiting for the one
 * before, nested every next task into one stack: 3,000 of them stalled at about 600 (a stack
 * overflow). Waiters now yield before they run (`Handoff`'s `settle`), one after another.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as FiberPool from "../src/FiberPool.js"
import type * as Future from "../src/Future.js"

describe("long chains of futures", () => {
  it.live(
    "3,000 tasks, each waiting for the previous one's future: all end, in order",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 4000 })
        const futures: Array<Future.Future<number>> = [yield* pool.submit(Effect.as(Effect.sleep(20), 0))]
        for (let i = 1; i < 3000; i++) {
          const previous = futures[i - 1]!
          futures.push(yield* pool.submit(Effect.map(Effect.orDie(previous.result), (n) => n + 1)))
        }
        const last = yield* Effect.timeoutOption(futures[2999]!.await, 10_000)
        assert.strictEqual(last._tag, "Some")
        if (last._tag === "Some") assert.deepStrictEqual(last.value, Exit.succeed(2999))
      })),
    30_000
  )
})
