/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * what the page shows of a watched task manager's store — one that hangs, and the `more`
 * mark at the largest `tasksPerState`.
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Data, Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { call } from "./fixtures.js"

const empty: Dashboard.TaskSource = {
  list: () => Effect.succeed([]),
  status: () => Effect.fail("none"),
  cancel: () => Effect.succeed(false),
  retry: () => Effect.succeed(false),
  retryAll: () => Effect.succeed(0)
}

const failedTask = (n: number): Dashboard.TaskSourceRecord => ({
  id: `failed-${n}`,
  name: "job",
  state: "failed",
  attempts: 1,
  addedAt: n,
  startedAt: n,
  finishedAt: n,
  error: "boom",
  progress: undefined,
  replays: 0
})

describe("review: watched stores", () => {
  it.live("a store that never answers leaves the page's figures alive", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const pool = yield* FiberPool.make({ concurrency: 1, name: "still-alive" })
      yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
      // a store that hangs (a Redis that stopped answering, a lock held elsewhere)
      yield* Dashboard.watchTasks("stuck", { ...empty, list: () => Effect.never })
      const reply = yield* Effect.timeoutOption(call(`${url}api/snapshot`), "5 seconds")
      assert.isTrue(
        reply._tag === "Some",
        "GET /api/snapshot did not answer within 5 s: every snapshot waits on the store"
      )
      if (reply._tag === "Some") {
        assert.strictEqual(reply.value.status, 200)
        assert.isTrue(reply.value.json.instances.some((i: { group: string }) => i.group === "still-alive"))
      }
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))

  it.live("a store that fails with an error whose message is empty is still shown as failed", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      class StoreDown extends Data.TaggedError("StoreDown")<{}> {}
      yield* dashboard.watchTasks("down", { ...empty, list: () => Effect.fail(new StoreDown()) })
      const manager = (yield* dashboard.snapshot()).taskManagers[0]!
      // "Why its tasks could not be read this time (its store failed), else `undefined`" — the page
      // shows `Its store failed: …` only for a non-empty error (`m.error ? … : ""`)
      assert.isString(manager.error)
      assert.notStrictEqual(manager.error, "", "the store failed, and the page says nothing")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))

  it.live("tasksPerState 1,000 (the largest allowed): a finished state with more tasks is marked `more`", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      const all = Array.from({ length: 1_500 }, (_, n) => failedTask(n))
      yield* dashboard.watchTasks("many", {
        ...empty,
        // the oldest first, at most `limit`, as TaskManager.list answers
        list: ({ limit, state }) => Effect.succeed(state === "failed" ? all.slice(0, limit) : [])
      })
      const snapshot = yield* dashboard.snapshot()
      const manager = snapshot.taskManagers[0]!
      assert.strictEqual(manager.tasks.length, 1_000)
      // README: "`50+` says there are more" — 1,500 failed tasks, 1,000 shown
      assert.include(manager.more, "failed")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, tasksPerState: 1_000 }))))
})
