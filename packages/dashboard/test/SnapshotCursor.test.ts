/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * a snapshot's `cursor` is read before the snapshot awaits the figures and the watched
 * task managers, but its `records` are read after — a record that ends in between is sent in this
 * snapshot and again in the next one (the page draws it twice).
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Deferred, Effect, Fiber } from "effect"
import * as Dashboard from "../src/Dashboard.js"

describe("review: snapshot cursor", () => {
  it.live("a record that ends while a snapshot reads the task managers is not sent twice", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      const entered = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      let block = false
      const source: Dashboard.TaskSource = {
        list: ({ state }) =>
          block && state === "queued"
            ? Effect.andThen(Deferred.succeed(entered, undefined), Effect.as(Deferred.await(gate), []))
            : Effect.succeed([]),
        status: () => Effect.fail("none"),
        cancel: () => Effect.succeed(false),
        retry: () => Effect.succeed(false),
        retryAll: () => Effect.succeed(0)
      }
      yield* dashboard.watchTasks("slow", source)
      const pool = yield* FiberPool.make({ concurrency: 1, name: "cursor-race" })
      const start = yield* dashboard.snapshot(0)

      block = true
      const reading = yield* Effect.forkChild(dashboard.snapshot(start.cursor))
      yield* Deferred.await(entered)
      // a task ends while the snapshot waits for the task manager's list
      yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
      yield* Deferred.succeed(gate, undefined)
      const first = yield* Fiber.join(reading)
      block = false
      const second = yield* dashboard.snapshot(first.cursor)

      const labels = (records: ReadonlyArray<{ readonly group: string; readonly label: string }>) =>
        records.filter((r) => r.group === "cursor-race").map((r) => r.label)
      const both = [...labels(first.records), ...labels(second.records)]
      // the task's record is delivered exactly once over the two snapshots
      assert.strictEqual(both.length, 1, `delivered ${both.length} times: ${JSON.stringify(both)}`)
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))
})
