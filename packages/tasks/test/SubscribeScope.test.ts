/**
 * Found by an outside review of issue 20: each test failed before its fix (what the review saw
 * is described below); the README promise it checks is quoted first.
 *
 * README, Shutting down: "Closing the manager's scope is a shutdown without drain. Once the last
 * outcome is published, the `results` streams end." Join and shutdown: "`results` and
 * `subscribe` end after the last outcome".
 *
 * A stream from `subscribe` (subscribed in the manager's scope, read by a fiber that outlives
 * it) never ends when that scope closes: its subscription is released before the manager's
 * shutdown publishes the end mark, and the reader waits for ever. (`results` ends.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

const job = TaskManager.define("job", { args: Schema.Number, run: (ms: number) => Effect.sleep(ms) })

describe("closing the manager's scope", () => {
  it.live("ends a subscribe stream after the last outcome", () =>
    Effect.gen(function*() {
      const reader = yield* Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
        const results = yield* manager.subscribe
        const reader = yield* Effect.forkDetach(Stream.runCollect(results))
        yield* manager.addAll(job, [10, 60_000])
        yield* Effect.sleep("100 millis") // the first ended, the second runs
        return reader
      }))
      const outcomes = yield* Effect.timeout(Fiber.join(reader), "3 seconds").pipe(Effect.option)
      yield* Fiber.interrupt(reader)
      assert.isTrue(Option.isSome(outcomes), "the stream did not end within 3 s of the scope's close")
      if (Option.isSome(outcomes)) assert.strictEqual(outcomes.value.length, 1)
    }).pipe(Effect.provide(TaskStore.layerMemory)))
})
