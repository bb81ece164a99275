/**
 * Review-26a regression tests (they failed before the fix). Review of issue 26: a cancel that races a replay. The schedule explorer found it on the plain
 * memory store (a deadlock: the cancel never answers); here the same order of steps is forced with
 * a store whose `get` and `replay` take a moment — as a store's I/O does: the replay's write is
 * done, the cancel reads the task (running), the replayed task runs to its end, then the replay
 * returns and the cancel goes on.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"
import { sqliteStore } from "./fixtures/sqliteStore.js"

const settle = Effect.repeat(Effect.yieldNow, { times: 50 })

describe("review: a cancel racing a replay", () => {
  for (const [name, make] of [["memory", TaskStore.memory], ["SQLite", Effect.orDie(sqliteStore)]] as const) {
    it.live(`${name} store: a cancel that read the replayed task before it ran answers once it has ended`, () =>
      Effect.scoped(Effect.gen(function*() {
        const inner = yield* make
        // the replay returns, and the cancel's read of the task, only when told
        const replayReturns = yield* Deferred.make<void>()
        const readReturns = yield* Deferred.make<void>()
        let slow = false
        const store: TaskStore.TaskStore = {
          ...inner,
          replay: (id) => Effect.tap(inner.replay(id), () => Deferred.await(replayReturns)),
          get: (id) => Effect.tap(inner.get(id), () => slow ? Deferred.await(readReturns) : Effect.void)
        }
        let runs = 0
        const blockerGoes = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          // 0: waits until told; 1: fails its first run only
          run: (n) =>
            n === 0 ?
              Effect.as(Deferred.await(blockerGoes), n) :
              Effect.suspend(() => ++runs === 1 ? Effect.fail("first") : Effect.succeed(n))
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        const results = yield* manager.subscribe
        const ended = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 3)))
        const id = yield* manager.add(job, 1)
        yield* manager.join
        // the only worker is busy
        yield* manager.add(job, 0)
        yield* settle
        // the replay is written, and its task queued again behind the busy worker
        const retry = yield* Effect.forkChild(manager.retry(id))
        yield* settle
        // the cancel reads the task, queued
        slow = true
        const cancel = yield* Effect.forkChild(manager.cancel(id))
        yield* settle
        // the worker is free: the replayed task runs to its end
        yield* Deferred.succeed(blockerGoes, undefined)
        const outcomes = yield* Effect.timeout(Fiber.join(ended), "5 seconds")
        assert.deepStrictEqual(outcomes.map((o) => [o.id === id, o.state]), [[true, "failed"], [false, "succeeded"], [
          true,
          "succeeded"
        ]])
        // then the replay returns, then the cancel's read
        yield* Deferred.succeed(replayReturns, undefined)
        assert.isTrue(yield* Fiber.join(retry))
        yield* Deferred.succeed(readReturns, undefined)
        yield* settle
        yield* Effect.sleep("100 millis")
        // "false if it had already ended"
        assert.isDefined(cancel.pollUnsafe(), "the cancel still waits, for an end that has come and gone")
        assert.isFalse(yield* Fiber.join(cancel))
      })))
  }
})
