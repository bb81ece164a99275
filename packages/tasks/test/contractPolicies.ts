/**
 * The TaskManager contract for a definition's own policies (issue 26, point 2; first the issue 23
 * review's regression tests on BullMQ): its retry and its timeout replace the manager's. Every store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Data, Effect, Fiber, Option, Schedule, Schema, Stream } from "effect"
import { TaskTimeout } from "../src/Errors.js"
import * as TaskManager from "../src/TaskManager.js"
import { type StoreFactory, withStore } from "./contractKit.js"

class Busy extends Data.TaggedError("Busy")<{ readonly retryable: boolean }> {}

const firstWithin = <A, E>(stream: Stream.Stream<A, E>, ms: number) =>
  Effect.timeoutOption(Stream.runHead(stream), ms).pipe(Effect.map(Option.flatten))

export const contractPolicies = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, a definition's retry and timeout: ${name}`, () => {
    it.live("a definition's own retry is used (as locally): recurs(2) → 3 attempts", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const flaky = TaskManager.define("flaky", {
            args: Schema.Number,
            run: () => Effect.fail(new Busy({ retryable: true })),
            retry: Schedule.recurs(2)
          })
          const manager = yield* TaskManager.make({ tasks: [flaky], concurrency: 1, store }) // no manager retry
          const results = yield* manager.subscribe
          const outcome = yield* Effect.forkChild(firstWithin(results, 5_000))
          yield* manager.add(flaky, 1)
          const result = yield* Fiber.join(outcome)
          assert(Option.isSome(result) && result.value.state === "failed")
          assert.strictEqual(result.value.attempts, 3, "the definition's retry (recurs(2)) was not used")
        })))

    it.live("a definition's own retry is used instead of the manager's: recurs(0) beats the manager's recurs(3)", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const once = TaskManager.define("once", {
            args: Schema.Number,
            run: () => Effect.fail(new Busy({ retryable: false })),
            retry: Schedule.recurs(0)
          })
          const manager = yield* TaskManager.make({ tasks: [once], concurrency: 1, store, retry: Schedule.recurs(3) })
          const results = yield* manager.subscribe
          const outcome = yield* Effect.forkChild(firstWithin(results, 5_000))
          yield* manager.add(once, 1)
          const result = yield* Fiber.join(outcome)
          assert(Option.isSome(result) && result.value.state === "failed")
          assert.strictEqual(result.value.attempts, 1, "the manager's retry was used instead of the definition's")
        })))

    it.live("a definition's own timeout is used (as locally): 50 ms, no manager timeout", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const slow = TaskManager.define("slow", {
            args: Schema.Number,
            run: (ms) => Effect.as(Effect.sleep(ms), "done"),
            timeout: "50 millis"
          })
          const manager = yield* TaskManager.make({ tasks: [slow], concurrency: 1, store })
          const results = yield* manager.subscribe
          const outcome = yield* Effect.forkChild(firstWithin(results, 5_000))
          yield* manager.add(slow, 1_000)
          const result = yield* Fiber.join(outcome)
          assert(Option.isSome(result))
          assert(
            result.value.state === "failed",
            `state ${result.value.state}: the definition's timeout was not applied`
          )
          assert.instanceOf(result.value.error, TaskTimeout)
          assert.strictEqual(result.value.error._tag === "TaskTimeout" ? result.value.error.timeoutMillis : -1, 50)
        })))
  })
