/**
 * Regression test from the issue 23 review: `put` is typed `Effect<void, QueueShutDown>`, and
 * succeeded with `true` after the put/putFor refactor (observable wherever results are
 * collected: `Effect.exit`, `Effect.forEach`, a forked putter's `Fiber.join`).
 */
import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Effect, Equal, Exit, Fiber } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

describe("regression (issue 23 review): put's result is void", () => {
  it.effect("a put that adds at once succeeds with undefined, as its type says", () =>
    Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<number>({ capacity: 2 })
      const exit = yield* Effect.exit(queue.put(1))
      assert.isTrue(Equal.equals(exit, Exit.void), `put's exit: ${exit}`)
      const all: ReadonlyArray<unknown> = yield* Effect.forEach([2], (i) => queue.put(i))
      assert.deepStrictEqual(all, [undefined])
    }))

  it.effect("a put that waited for room succeeds with undefined too", () =>
    Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<number>({ capacity: 1 })
      yield* queue.put(1)
      const putter = yield* Effect.forkChild(queue.put(2))
      yield* Leaks.settle
      yield* queue.take
      const value: unknown = yield* Fiber.join(putter)
      assert.strictEqual(value, undefined)
    }))
})
