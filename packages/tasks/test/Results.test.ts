/**
 * The results streams: bounded behind a slow reader, and ended by any shutdown that completes —
 * one interrupted half-way included.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Fiber, Result, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })

describe("TaskManager results", () => {
  // #20 (suspected, measured): a subscriber that never reads held every outcome — about 430
  // bytes each, 20 MiB after 50,000 — without bound.
  it.effect("a stream that falls resultsBuffer outcomes behind fails ResultsOverflow; a reader keeps up", () =>
    Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, resultsBuffer: 5 })
      const idle = yield* manager.subscribe
      const reader = yield* Effect.forkChild(Stream.runCollect(Stream.take(yield* manager.subscribe, 10)))
      yield* manager.addAll(job, Array.from({ length: 10 }, (_, i) => i))
      yield* manager.join
      assert.strictEqual((yield* Fiber.join(reader)).length, 10)
      const behind = yield* Effect.result(Stream.runCollect(idle))
      assert.isTrue(Result.isFailure(behind) && behind.failure._tag === "ResultsOverflow")
      const invalid = yield* Effect.flip(TaskManager.make({ tasks: [job], resultsBuffer: 0 }))
      assert.strictEqual(invalid._tag === "InvalidOptions" ? invalid.field : invalid._tag, "resultsBuffer")
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  // Found by an outside review with the explorer (schedule 243): the end mark was marked sent in
  // one op and sent in the next; a shutdown interrupted in between left every stream open, and
  // later shutdowns skipped it.
  it.effect("a shutdown interrupted at any op: the next one still ends the results streams", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store: yield* TaskStore.memory })
        const collected = yield* Effect.forkChild(Stream.runCollect(yield* manager.subscribe))
        yield* Effect.orDie(manager.add(job, 1))
        yield* manager.join
        yield* Fiber.await(yield* Interleavings.fork(manager.shutdown()))
        yield* manager.shutdown()
        const outcomes = yield* Effect.orDie(Fiber.join(collected))
        assert.deepStrictEqual(outcomes.map((outcome) => outcome.state), ["succeeded"])
      }),
      { schedules: 400, interrupts: true, seed: 1 }
    ))
})
