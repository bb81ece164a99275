/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): actions on a watched task manager that has been shut down (its `shutdown()`
 * called while the watch lasts — a program draining for exit, say).
 *
 * `TaskManager.cancel` answers `false` "if it had already ended, or if the manager is shut down
 * (a queued task then stays queued)". The dashboard's `TaskSource.cancel` reads `false` as
 * "`false` when the task had already ended", and the route answers `200 { done: false }`, which
 * the page announces as "<id> had already ended: nothing to cancel" (README: "the answer
 * (`Cancelled job-2`, `job-2 had already ended`) is announced on the page"). The task has not
 * ended: it is still queued — the page tells the user something false and hides why nothing
 * happened.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { act, call, workload } from "./fixtures.js"

describe("review2: cancel on a shut down task manager", () => {
  it.live("a refused cancel of a still-queued task is not answered as 'it had already ended'", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "running-1" })
      yield* manager.add("hold", "b", { id: "queued-1" })
      yield* manager.shutdown() // no drain: queued-1 stays queued
      const before = yield* call(`${url}api/task?manager=jobs&id=queued-1`)
      assert.strictEqual(before.json?.state, "queued", "the task is queued before the cancel")

      const cancelled = yield* act(url, "cancel", { manager: "jobs", id: "queued-1" })
      const after = yield* call(`${url}api/task?manager=jobs&id=queued-1`)
      // the answer the page reads as "queued-1 had already ended" must not come for a task that has not
      // (the answer now names the task's state: the page says "still queued" for a waiting one)
      const saysEnded = cancelled.status === 200 && cancelled.json?.done === false &&
        cancelled.json?.state !== "queued" && cancelled.json?.state !== "running"
      const ended = after.json?.state !== "queued" && after.json?.state !== "running"
      assert.isFalse(
        saysEnded && !ended,
        `answered ${cancelled.status} ${JSON.stringify(cancelled.json)} (the page: "queued-1 had already ended") ` +
          `while the task is ${after.json?.state}`
      )
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, write: true }))))
})
