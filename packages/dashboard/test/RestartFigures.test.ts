/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * a task manager's "Waiting" figure is what its own process added minus what it took —
 * after a restart on a persistent store (here: a store shared with a manager that ran before the
 * layer, as a previous process would) the tasks it takes were never added here, and the page shows
 * a negative number of waiting tasks.
 */
import { assert, describe, it } from "@effect/vitest"
import * as TaskManager from "@fiberkit/tasks/TaskManager"
import * as TaskStore from "@fiberkit/tasks/TaskStore"
import { Deferred, Effect, Schema } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { eventually } from "./fixtures.js"

describe("review: figures", () => {
  it.live("a task manager that takes tasks added before it (a restart) never shows a negative Waiting", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const hold = TaskManager.define("hold", { args: Schema.String, run: () => Deferred.await(gate) })
      // before: the previous run of the program added 3 tasks and stopped
      yield* Effect.scoped(Effect.gen(function*() {
        const before = yield* TaskManager.make({ tasks: [hold], concurrency: 1, name: "restarted" })
        yield* before.add(hold, "a", { id: "t-1" })
        yield* before.add(hold, "b", { id: "t-2" })
        yield* before.add(hold, "c", { id: "t-3" })
      }))
      // now: the same task manager under the dashboard takes them
      yield* Effect.gen(function*() {
        const dashboard = yield* Dashboard.Dashboard
        const manager = yield* TaskManager.make({ tasks: [hold], concurrency: 1, name: "restarted" })
        yield* Dashboard.watchTasks("restarted", manager)
        const view = yield* eventually(
          dashboard.snapshot(),
          (s) => s.taskManagers[0]?.tasks.some((t) => t.state === "running") === true,
          "one running"
        )
        const queued = view.taskManagers[0]!.tasks.filter((t) => t.state === "queued").length
        const row = view.instances.find((i) =>
          i.source === "TaskManager" && i.group === "restarted" && i.task === undefined
        )
        assert.isDefined(row)
        // "Items waiting now": the store holds `queued` waiting tasks; never below 0
        assert.isAtLeast(row!.pending, 0, `Waiting shows ${row!.pending} while ${queued} tasks are queued`)
        yield* Deferred.succeed(gate, undefined)
      }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 })))
    }).pipe(Effect.provide(TaskStore.layerMemory)))
})
