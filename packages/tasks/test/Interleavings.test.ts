/**
 * The TaskManager under the schedule explorer, on the memory and the SQLite store, with store
 * failures injected: fibers switched between any two ops, a cancel racing the tasks. Whatever the
 * schedule, `join` returns, every task's outcome is published exactly once, `status` agrees
 * with the outcome that was published, and `cancel` answers `true` exactly when the task ended
 * cancelled.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Context, Effect, Fiber, Layer, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"
import { faulty, type Operation } from "./fixtures/faultyStore.js"

const job = TaskManager.define("job", {
  args: Schema.Number,
  run: (n) => Effect.as(Effect.sleep(10), n)
})

const memory = TaskStore.memory

const sqlite = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-explore-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const context = yield* Layer.build(SqliteStore.layer({ filename: path.join(dir, "tasks.db") }))
  return Context.get(context, TaskStore.TaskStore)
}).pipe(Effect.orDie)

const scenario = (store: typeof memory | typeof sqlite, faults: Partial<Record<Operation, number>>) =>
  Effect.gen(function*() {
    const inner = yield* store
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2 }).pipe(
      Effect.provideService(TaskStore.TaskStore, faulty(inner, faults).store),
      Effect.orDie
    )
    const results = yield* manager.subscribe
    const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 3)))
    const ids = yield* Effect.forEach([1, 2, 3], (n) => Effect.orDie(manager.add(job, n)))
    const canceller = yield* Interleavings.fork(manager.cancel(ids[1]!))
    yield* manager.join
    const answer = yield* Fiber.await(canceller)
    const outcomes = yield* Fiber.join(collected)
    assert.deepStrictEqual(outcomes.map((outcome) => outcome.id).sort(), [...ids].sort())
    // cancel tells the truth: true exactly when the task ended cancelled (an interrupted cancel
    // answers nothing)
    if (answer._tag === "Success") {
      const cancelled = outcomes.find((outcome) => outcome.id === ids[1])!.state === "cancelled"
      assert.strictEqual(answer.value, cancelled, `cancel answered ${answer.value}`)
    }
    for (const outcome of outcomes) {
      const status = yield* Effect.orDie(manager.status(outcome.id))
      assert.strictEqual(status.state, outcome.state, `task ${outcome.id}`)
    }
  })

describe("Interleavings: TaskManager", () => {
  for (const [name, store] of [["memory", memory], ["SQLite", sqlite]] as const) {
    it.effect(`${name} store: join returns and every outcome is published once, with store writes failing`, () =>
      Interleavings.explore(scenario(store, { take: 1, finish: 1, attempt: 1 }), {
        schedules: name === "memory" ? 100 : 40,
        interrupts: true,
        idleTurns: 20
      }))
  }
})
