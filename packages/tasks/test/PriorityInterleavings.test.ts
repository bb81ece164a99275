/**
 * Task priorities on the memory and SQLite stores under the schedule explorer — adds of several
 * priorities, a cancel and a shutdown without drain racing, one worker held by a first task:
 * after any schedule the tasks that were not cancelled run in priority order (the put-back one
 * first of its priority), each once to its end.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Context, Deferred, Effect, Fiber, Layer, Schema } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

const sqlite = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-priority-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const context = yield* Layer.build(SqliteStore.layer({ filename: path.join(dir, "tasks.db") }))
  return Context.get(context, TaskStore.TaskStore)
}).pipe(Effect.orDie)

const adds = [["a", 3], ["b", -2], ["c", 7], ["d", 0], ["e", 5]] as const

const scenario = (storeOf: Effect.Effect<TaskStore.TaskStore, never, never> | typeof sqlite) =>
  Effect.scoped(Effect.gen(function*() {
    const store = yield* storeOf
    const started: Array<string> = []
    const ended: Array<string> = []
    const gate = yield* Deferred.make<void>()
    const firstStarted = yield* Deferred.make<void>()
    const job = TaskManager.define("job", {
      args: Schema.String,
      run: (label) =>
        Effect.andThen(
          Effect.andThen(Effect.sync(() => started.push(label)), Deferred.succeed(firstStarted, undefined)),
          Effect.andThen(label === "first" ? Deferred.await(gate) : Effect.void, Effect.sync(() => ended.push(label)))
        )
    })
    const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store }).pipe(Effect.orDie)
    yield* Effect.orDie(first.add(job, "first", { id: "first" }))
    yield* Deferred.await(firstStarted)
    const fibers = yield* Effect.forEach(
      adds,
      ([label, priority]) => Interleavings.fork(Effect.ignore(first.add(job, label, { id: label, priority })))
    )
    const canceller = yield* Interleavings.fork(Effect.ignore(first.cancel("e")))
    const stopper = yield* Interleavings.fork(Effect.orDie(first.shutdown({ drain: false })))
    for (const fiber of [...fibers, canceller, stopper]) yield* Fiber.await(fiber)
    yield* Effect.orDie(first.shutdown({ drain: false }))
    const second = yield* TaskManager.make({ tasks: [job], concurrency: 1, store }).pipe(Effect.orDie)
    yield* Deferred.succeed(gate, undefined)
    yield* Effect.orDie(second.join)
    // what was added, and how it ended, as the store says
    const states = new Map<string, string>()
    for (const [label] of adds) {
      const status = yield* Effect.option(second.status(label))
      if (status._tag === "Some") states.set(label, status.value.state)
    }
    for (const [label, state] of states) assert.include(["succeeded", "cancelled"], state, label)
    // "first" was put back by the shutdown: after every higher priority, before the others of 0
    const ran = [["first", 0] as const, ...adds.filter(([label]) => states.get(label) === "succeeded")]
      .map(([label, priority], i) => ({ label, priority, i }))
      .sort((x, y) => y.priority - x.priority || x.i - y.i)
      .map(({ label }) => label)
    assert.deepStrictEqual(started, ["first", ...ran], `started ${started.join(",")}`)
    assert.deepStrictEqual([...ended].sort(), [...ran].sort())
  }))

describe("priorities under the schedule explorer", () => {
  it.effect("memory store: adds, a cancel and a shutdown racing keep the priority order", () =>
    Interleavings.explore(scenario(TaskStore.memory), { schedules: 150, interrupts: true, idleTurns: 20 }))
  it.effect("SQLite store: adds, a cancel and a shutdown racing keep the priority order", () =>
    Interleavings.explore(scenario(sqlite), { schedules: 40, interrupts: true, idleTurns: 20 }))
})
