/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): a watched task manager's tasks are read with one `list` per state, all at
 * once; a store answers each at its own moment (BullMQ: one round trip each). A task that moves
 * from `queued` to `running` between the two answers is sent twice in one snapshot — as queued
 * (with a Cancel button, counted under "queued") and as running. `Snapshot.TaskManager`: "its
 * tasks by state" — a task has one state at a moment; the page should never show one task in two
 * states (a task that ends between two answers can likewise vanish from every state).
 *
 * Deterministic: the source below is a real memory-store TaskManager whose `queued` answer is
 * held until the task it lists has started (what a slow store's round trip does).
 */
import { assert, describe, it } from "@effect/vitest"
import * as TaskManager from "@fiberkit/tasks/TaskManager"
import * as TaskStore from "@fiberkit/tasks/TaskStore"
import { Deferred, Effect, Schema } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { eventually } from "./fixtures.js"

describe("review2: a task between two states", () => {
  it.live("a task that starts while the page's lists are answered is in one state only", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      const gates = new Map<string, Deferred.Deferred<void>>()
      for (const id of ["a", "b"]) gates.set(id, yield* Deferred.make<void>())
      const step = TaskManager.define("step", { args: Schema.String, run: (id) => Deferred.await(gates.get(id)!) })
      const manager = yield* TaskManager.make({ tasks: [step], concurrency: 1 }).pipe(
        Effect.provide(TaskStore.layerMemory)
      )
      yield* manager.add("step", "a", { id: "a" })
      yield* manager.add("step", "b", { id: "b" })
      yield* eventually(manager.status("a"), (t) => t.state === "running", "a runs")

      const queuedAnswered = yield* Deferred.make<void>()
      let slow = false
      const source: Dashboard.TaskSource = {
        ...manager,
        list: (filter) => {
          if (!slow) return manager.list(filter)
          if (filter.state === "queued") {
            // the store answers "b is queued"; by the time the answer arrives, a ended and b started
            return Effect.gen(function*() {
              const listed = yield* manager.list(filter)
              yield* Deferred.succeed(gates.get("a")!, undefined)
              yield* eventually(manager.status("b"), (t) => t.state === "running", "b runs")
              yield* Deferred.succeed(queuedAnswered, undefined)
              return listed
            })
          }
          return Effect.andThen(Deferred.await(queuedAnswered), manager.list(filter))
        },
        retryAll: () => manager.retryAll()
      }
      yield* dashboard.watchTasks("jobs", source)
      slow = true
      const snapshot = yield* dashboard.snapshot()
      yield* Deferred.succeed(gates.get("b")!, undefined)

      const tasks = snapshot.taskManagers[0]!.tasks
      const states = (id: string) => tasks.filter((t) => t.id === id).map((t) => t.state)
      assert.deepStrictEqual(
        { a: states("a").length, b: states("b").length },
        { a: 1, b: 1 },
        `a listed as ${JSON.stringify(states("a"))}, b as ${JSON.stringify(states("b"))}`
      )
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))
})
