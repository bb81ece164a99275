import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Fiber, Number as N } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

const scenario = Gen.record({
  kind: Gen.constantFrom("fifo" as const, "lifo" as const, "priority" as const),
  capacity: Gen.integer({ min: 0, max: 5 }),
  // per producer: the pause before each of its items
  producers: Gen.array(Gen.array(Gen.integer({ min: 0, max: 5 }), { maxLength: 8 }), {
    minLength: 1,
    maxLength: 3
  }),
  // per consumer: how long it processes an item, and when (if ever) it is interrupted
  consumers: Gen.array(
    Gen.record({
      work: Gen.integer({ min: 0, max: 6 }),
      interruptAt: Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined })
    }),
    { minLength: 1, maxLength: 4 }
  )
})

describe("JoinableQueue properties", () => {
  it.effect.prop(
    "every item is delivered exactly once, join returns only when all are done, size never exceeds capacity",
    [scenario],
    ([{ capacity, consumers, kind, producers }]) =>
      Effect.gen(function*() {
        const queue = yield* JoinableQueue.make<number>({
          capacity,
          kind,
          order: kind === "priority" ? N.Order : undefined
        })
        const produced = producers.flatMap((pauses, p) => pauses.map((_, i) => p * 100 + i))
        const taken: Array<number> = []
        let done = 0
        let largest = 0
        const observe = Effect.flatMap(queue.size, (n) => Effect.sync(() => void (largest = Math.max(largest, n))))

        const producer = (pauses: ReadonlyArray<number>, p: number) =>
          Effect.forEach(pauses, (pause, i) =>
            Effect.andThen(Effect.sleep(pause), Effect.andThen(queue.put(p * 100 + i), observe)))
        const consumer = (work: number) =>
          Effect.forever(Effect.gen(function*() {
            const item = yield* queue.take
            taken.push(item)
            yield* observe
            // the item was delivered: it is done even if this consumer is interrupted while working
            yield* Effect.ensuring(
              Effect.sleep(work),
              Effect.sync(() =>
                done++
              ).pipe(Effect.andThen(Effect.orDie(queue.taskDone)))
            )
          }))

        // consumer 0 is never interrupted, so someone is always there to take what is left
        const workers = yield* Effect.forEach(consumers, ({ work }) => Effect.forkChild(consumer(work)))
        yield* Effect.forEach(consumers, ({ interruptAt }, c) =>
          c === 0 || interruptAt === undefined
            ? Effect.void
            : Effect.forkChild(Effect.andThen(Effect.sleep(interruptAt), Fiber.interrupt(workers[c]!))))
        let doneAtJoin = -1
        // as in the guide: the producers finish, then `join` waits for the consumers
        yield* TestTime.run(Effect.andThen(
          Effect.forEach(producers, producer, { concurrency: "unbounded" }),
          Effect.andThen(queue.join, Effect.sync(() => void (doneAtJoin = done)))
        ))
        yield* Fiber.interruptAll(workers)

        assert.deepStrictEqual([...taken].sort(N.Order), [...produced].sort(N.Order))
        assert.strictEqual(doneAtJoin, produced.length)
        if (capacity > 0) assert.isAtMost(largest, capacity)
        assert.strictEqual(yield* queue.size, 0)
        assert.strictEqual(yield* queue.unfinishedTasks, 0)
      }),
    { timeout: 30_000, arbitrary: { runs: 40 } }
  )
})
