/**
 * Priorities on the memory store, at its edges: an id reused once the store forgot the cancelled
 * task that had it, and tasks of one priority put back by one shutdown.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Schedule, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

const eventually = (check: () => boolean) =>
  Effect.repeat(Effect.sync(check), { until: (ok) => ok, schedule: Schedule.spaced("2 millis") })

describe("priorities on the memory store", () => {
  // A cancelled queued task leaves its entry in the line (skipped when it comes up; dropped once
  // such entries outnumber the live ones — here one task queued behind keeps it). Under strict
  // priorities a low entry stays for as long as higher tasks keep coming — past the point where
  // the memory store forgets the finished task, and its id with it. A new task added with that
  // id runs at its own priority, not at the stale entry's place.
  it.live(
    "a task re-added under a forgotten cancelled id runs at its own priority, not at the old entry's",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const started: Array<string> = []
        const gates = new Map<string, Deferred.Deferred<void>>()
        const gate = (label: string) => Effect.tap(Deferred.make<void>(), (d) => Effect.sync(() => gates.set(label, d)))
        const first = yield* gate("first")
        const blocker = yield* gate("blocker")
        const job = TaskManager.define("job", {
          args: Schema.String,
          run: (label) =>
            Effect.andThen(
              Effect.sync(() => label.startsWith("n") || started.push(label)),
              gates.has(label) ? Deferred.await(gates.get(label)!) : Effect.void
            )
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 }).pipe(
          Effect.provide(TaskStore.layerMemory)
        )
        yield* manager.add(job, "first")
        yield* eventually(() => started.length === 1)
        yield* manager.add(job, "tail", { priority: -20 })
        yield* manager.add(job, "x-old", { id: "x", priority: -5 })
        assert.isTrue(yield* manager.cancel("x"))
        // 20,000 tasks finish above the stale entry: the memory store forgets "x"
        yield* manager.addAll(job, Array.from({ length: 20_000 }, (_, i) => `n${i}`))
        yield* manager.add(job, "blocker")
        yield* Deferred.succeed(first, undefined)
        yield* eventually(() => started.includes("blocker"))
        const forgotten = yield* Effect.flip(manager.status("x"))
        assert.strictEqual(forgotten._tag, "TaskNotFound")
        // the id is free again: a new task under it, at the lowest priority
        yield* manager.add(job, "x-new", { id: "x", priority: -10 })
        yield* manager.add(job, "z", { priority: -7 })
        assert.strictEqual((yield* manager.status("x")).priority, -10)
        yield* Deferred.succeed(blocker, undefined)
        yield* manager.join
        assert.deepStrictEqual(started, ["first", "blocker", "z", "x-new", "tail"])
      })),
    60_000
  )
})

describe("put back on the memory store", () => {
  // README, Priorities: "of equal priorities the one added first", and "Put back. A task a
  // shutdown without drain stops ... is queued again before the tasks of its priority": tasks of
  // one priority stopped by one shutdown go back in the order they were taken (the shutdown
  // interrupts them one after the other, in that order), even when the one taken first is slow
  // to stop and was taken by the second worker.
  it.live("tasks of one priority put back by one shutdown run again in the order they were added", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* TaskStore.memory
      const started: Array<string> = []
      const job = TaskManager.define("job", {
        args: Schema.String,
        run: (label) =>
          Effect.suspend(() => {
            started.push(label)
            if (label === "warm-up" || started.length > 3) return Effect.void
            // the first attempts hold their workers; "x" takes a moment to let go when stopped
            return label === "x" ? Effect.onInterrupt(Effect.never, () => Effect.sleep("20 millis")) : Effect.never
          })
      })
      yield* Effect.scoped(Effect.gen(function*() {
        const first = yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
        // the first worker runs a task and waits again, behind the second one
        yield* first.add(job, "warm-up")
        yield* first.join
        yield* first.add(job, "x", { priority: 4 })
        yield* eventually(() => started.length === 2)
        yield* first.add(job, "y", { priority: 4 })
        yield* eventually(() => started.length === 3)
        yield* first.add(job, "w", { priority: 4 })
        yield* first.shutdown({ drain: false })
      }))
      const second = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      yield* second.join
      assert.deepStrictEqual(started, ["warm-up", "x", "y", "x", "y", "w"])
    })))
})
