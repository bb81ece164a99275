/**
 * The TaskManager contract for dead letters (issue 26): a task whose retries ran out is `failed`
 * with its last error, listed by `list({ state: "failed" })`, never run again unless replayed;
 * `retry(id)` and `retryAll(filter)` replay it — its failures counted from 0 again, its attempts
 * kept, `replays` counted — once, however many replays race. Run against every store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

class Flaky extends Schema.TaggedError<Flaky>()("Flaky", { left: Schema.Number }) {}

/**
 * A task that fails while its label's countdown in `failing` is above 0 (one down per attempt),
 * counting its runs in `runs`.
 */
const flaky = (failing: Map<string, number>, runs: Map<string, number>, name = "flaky") =>
  TaskManager.define(name, {
    args: Schema.String,
    failure: Flaky,
    run: (label) =>
      Effect.suspend(() => {
        runs.set(label, (runs.get(label) ?? 0) + 1)
        const left = failing.get(label) ?? 0
        if (left === 0) return Effect.succeed(label)
        failing.set(label, left - 1)
        return Effect.fail(new Flaky({ left }))
      })
  })

export const contractDeadLetters = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, dead letters: ${name}`, () => {
    it.live("a task whose retries ran out is failed with its last error, listed, and not run again", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const failing = new Map([["doomed", 5]])
          const runs = new Map<string, number>()
          const job = flaky(failing, runs)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store, retry: Schedule.recurs(1) })
          const doomed = yield* manager.add(job, "doomed")
          const fine = yield* manager.add(job, "fine")
          yield* within("join", manager.join)
          const record = yield* manager.status(doomed)
          assert.strictEqual(record.state, "failed")
          assert.strictEqual(record.attempts, 2)
          assert.strictEqual(record.failures, 2)
          assert.strictEqual(record.replays, 0)
          assert.include(record.error ?? "", "Flaky")
          const failed = yield* manager.list({ state: "failed" })
          assert.deepStrictEqual(failed.map((r) => r.id), [doomed])
          assert.deepStrictEqual((yield* manager.list({ state: "succeeded" })).map((r) => r.id), [fine])
          assert.deepStrictEqual((yield* manager.list({ state: "failed", name: "other" })).length, 0)
          assert.deepStrictEqual([...(yield* manager.list())].map((r) => r.id).sort(), [doomed, fine].sort())
          assert.strictEqual((yield* manager.list({ limit: 1 })).length, 1)
          // a dead letter stays dead: nothing runs it again
          yield* Effect.sleep("100 millis")
          assert.strictEqual(runs.get("doomed"), 2)
          assert.strictEqual((yield* manager.status(doomed)).state, "failed")
        })))

    it.live("retry(id) replays a dead letter once: failures from 0, attempts kept, replays counted, a new outcome", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const failing = new Map([["doomed", 3]])
          const runs = new Map<string, number>()
          const job = flaky(failing, runs)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store, retry: Schedule.recurs(1) })
          const results = yield* manager.subscribe
          const doomed = yield* manager.add(job, "doomed")
          yield* within("join", manager.join)
          assert.strictEqual((yield* manager.status(doomed)).state, "failed")
          const outcomes = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 2)))
          // two replays at once: one wins
          const replays = yield* Effect.all([manager.retry(doomed), manager.retry(doomed)], { concurrency: 2 })
          assert.deepStrictEqual([...replays].sort(), [false, true])
          yield* within("join after the replay", manager.join)
          const record = yield* manager.status(doomed)
          assert.strictEqual(record.state, "succeeded")
          assert.strictEqual(record.replays, 1)
          // one failure after the replay (the countdown had one left), the fresh Schedule retried it
          assert.strictEqual(record.failures, 1)
          assert.strictEqual(record.attempts, 4)
          assert.strictEqual(runs.get("doomed"), 4)
          const [first, second] = yield* Fiber.join(outcomes)
          assert.strictEqual(first!.state, "failed")
          assert.strictEqual(second!.state, "succeeded")
          // not failed any more: nothing to replay
          assert.isFalse(yield* manager.retry(doomed))
          assert.strictEqual((yield* Effect.flip(manager.retry("no-such-task")))._tag, "TaskNotFound")
        })))

    it.live("a cancelled task is never replayed; a queued or running one is not either", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const runs = new Map<string, number>()
          const job = flaky(new Map(), runs)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const later = yield* manager.add(job, "later", { delay: "1 hour" })
          assert.isFalse(yield* manager.retry(later))
          assert.isTrue(yield* manager.cancel(later))
          assert.isFalse(yield* manager.retry(later))
          assert.strictEqual(yield* manager.retryAll(), 0)
          assert.strictEqual((yield* manager.status(later)).state, "cancelled")
          assert.isUndefined(runs.get("later"))
        })))

    it.live("retryAll replays every dead letter of a definition, each once, and returns how many", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const failing = new Map([["a", 1], ["b", 1], ["c", 1]])
          const runs = new Map<string, number>()
          const first = flaky(failing, runs, "first")
          const second = flaky(failing, runs, "second")
          const manager = yield* TaskManager.make({ tasks: [first, second], concurrency: 2, store })
          const a = yield* manager.add(first, "a")
          const b = yield* manager.add(first, "b")
          const c = yield* manager.add(second, "c")
          yield* within("join", manager.join)
          assert.strictEqual((yield* manager.list({ state: "failed" })).length, 3)
          assert.strictEqual(yield* manager.retryAll({ name: "first" }), 2)
          yield* within("join after retryAll", manager.join)
          assert.strictEqual((yield* manager.status(a)).state, "succeeded")
          assert.strictEqual((yield* manager.status(b)).state, "succeeded")
          assert.strictEqual((yield* manager.status(c)).state, "failed")
          assert.deepStrictEqual((yield* manager.list({ state: "failed" })).map((r) => r.id), [c])
          assert.strictEqual(yield* manager.retryAll(), 1)
          yield* eventually("c replayed", Effect.map(manager.status(c), (r) => r.state === "succeeded"))
          assert.strictEqual(yield* manager.retryAll(), 0)
        })))

    it.live("a list filter out of range fails InvalidOptions; after a shutdown, retry fails TaskManagerShutDown", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = flaky(new Map(), new Map())
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          for (const filter of [{ limit: 0 }, { limit: 1.5 }, { limit: -1 }, { state: "lost" }, { name: 42 }]) {
            const error = yield* Effect.flip(manager.list(filter as never))
            assert.strictEqual(error._tag, "InvalidOptions", JSON.stringify(filter))
          }
          yield* manager.shutdown()
          assert.strictEqual((yield* Effect.flip(manager.retry("x")))._tag, "TaskManagerShutDown")
          assert.strictEqual((yield* Effect.flip(manager.retryAll()))._tag, "TaskManagerShutDown")
        })))
  })
