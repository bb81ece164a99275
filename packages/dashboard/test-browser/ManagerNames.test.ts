/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * the page keeps the selected state and the search result of each task manager in plain
 * objects keyed by the manager's name — a task manager watched as `constructor` (or `toString`,
 * `valueOf`, `hasOwnProperty` …) reads Object.prototype's members: no task is listed in any
 * state, and a search result "undefined: undefined" is shown that nobody asked for.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { eventually, workload } from "../test/fixtures.js"
import { browserForFile, on, pageOf } from "./chromium.js"

const browser = browserForFile()

describe("review: task manager names on the page", () => {
  it.live("a task manager watched as \"constructor\" lists its queued tasks", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager } = yield* workload("constructor")
      yield* manager.add("hold", "a", { id: "job-1" })
      yield* manager.add("hold", "b", { id: "job-2" })
      yield* eventually(manager.status("job-1"), (task) => task.state === "running", "job-1 running")
      const page = yield* pageOf(browser())
      yield* on(() => page.goto(url))
      const box = page.locator("[data-manager=\"constructor\"]")
      // the state buttons count the tasks: the snapshot reached the page
      yield* on(() => box.locator("button[data-state=\"queued\"] .count", { hasText: /^1$/ }).waitFor())
      // the queued list (shown by default) holds job-2; no search was made
      const listed = yield* on(() => box.locator(".list tr[data-task-id]").count())
      const found = yield* on(() => box.locator(".found").textContent())
      assert.deepStrictEqual([listed, found], [1, ""])
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, write: true, every: "100 millis" }))))
})
