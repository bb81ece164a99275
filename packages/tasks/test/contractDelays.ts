/**
 * The TaskManager contract for delayed tasks (issue 26): `add(…, { delay })` / `{ runAt }` keeps a
 * task queued — with its `runAt` — until its time, without holding back the tasks behind it; it
 * can be cancelled meanwhile, `join` waits for it, and bad times fail `InvalidOptions`. Run on the
 * live clock against every store (delays of a few hundred ms).
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

/** A task that notes when it started, by label. */
const timed = (started: Map<string, number>) =>
  TaskManager.define("timed", {
    args: Schema.String,
    run: (label) => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void started.set(label, now)))
  })

export const contractDelays = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, delays: ${name}`, () => {
    it.live("a delayed task waits for its time, queued with its runAt; the tasks behind it do not wait", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const started = new Map<string, number>()
          const job = timed(started)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const later = yield* manager.add(job, "later", { delay: "300 millis" })
          const record = yield* manager.status(later)
          assert.strictEqual(record.state, "queued")
          assert.strictEqual(record.runAt, record.addedAt + 300)
          yield* manager.add(job, "now")
          yield* eventually("the task added after it ran", Effect.sync(() => started.has("now")))
          assert.isFalse(started.has("later"))
          yield* within("join", manager.join)
          assert.isAtLeast(started.get("later")!, record.runAt!)
          const done = yield* manager.status(later)
          assert.strictEqual(done.state, "succeeded")
          assert.isAtLeast(done.startedAt!, record.runAt!)
        })))

    it.live("runAt: a time to come waits for it; a time past runs at once, with no runAt", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const started = new Map<string, number>()
          const job = timed(started)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
          const now = yield* Clock.currentTimeMillis
          const at = yield* manager.add(job, "at", { runAt: new Date(now + 250) })
          const past = yield* manager.add(job, "past", { runAt: now - 60_000 })
          const zero = yield* manager.add(job, "zero", { delay: 0 })
          assert.strictEqual((yield* manager.status(at)).runAt, now + 250)
          assert.isUndefined((yield* manager.status(past)).runAt)
          assert.isUndefined((yield* manager.status(zero)).runAt)
          yield* within("join", manager.join)
          assert.isAtLeast(started.get("at")!, now + 250)
          assert.isBelow(started.get("past")!, now + 250)
        })))

    it.live("delays order the tasks by time; addAll delays every task", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const started = new Map<string, number>()
          const job = timed(started)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          yield* manager.add(job, "third", { delay: "450 millis" })
          yield* manager.add(job, "first", { delay: "150 millis" })
          const ids = yield* manager.addAll(job, ["second-a", "second-b"], { delay: "300 millis" })
          for (const id of ids) assert.isDefined((yield* manager.status(id)).runAt)
          yield* within("join", manager.join)
          const order = [...started.entries()].sort((a, b) => a[1] - b[1]).map(([label]) => label)
          assert.deepStrictEqual(order.slice(0, 1), ["first"])
          assert.deepStrictEqual(order.slice(1, 3).sort(), ["second-a", "second-b"])
          assert.deepStrictEqual(order.slice(3), ["third"])
        })))

    it.live("a delayed task can be cancelled before its time, and never runs", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const started = new Map<string, number>()
          const job = timed(started)
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const later = yield* manager.add(job, "later", { delay: "200 millis" })
          assert.isTrue(yield* manager.cancel(later))
          yield* within("join", manager.join)
          yield* Effect.sleep("300 millis")
          assert.isFalse(started.has("later"))
          assert.strictEqual((yield* manager.status(later)).state, "cancelled")
        })))

    it.live("a delay or a time out of range fails InvalidOptions, and adds nothing", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const job = timed(new Map())
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const bad: ReadonlyArray<TaskManager.TaskManager.AddOptions> = [
            { delay: -1 },
            { delay: "NaN millis" as never },
            { delay: Infinity },
            { delay: "1 second", runAt: Date.now() + 1000 },
            { runAt: new Date(Number.NaN) },
            { runAt: Number.POSITIVE_INFINITY },
            { runAt: "tomorrow" as never }
          ]
          for (const [i, options] of bad.entries()) {
            const error = yield* Effect.flip(manager.add(job, "bad", { ...options, id: `bad-${i}` }))
            assert.strictEqual(error._tag, "InvalidOptions", JSON.stringify(options))
            assert.strictEqual((yield* Effect.flip(manager.status(`bad-${i}`)))._tag, "TaskNotFound")
          }
        })))
  })
