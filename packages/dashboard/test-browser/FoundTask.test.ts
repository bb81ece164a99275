/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * a task found by id on the page is a picture taken when "Find" was pressed — it is never
 * updated, so after an action (or after the task simply runs) the page goes on showing its old
 * state, and the old state's button.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { eventually, workload } from "../test/fixtures.js"
import { browserForFile, on, pageOf } from "./chromium.js"

const browser = browserForFile()

describe("review: search by id", () => {
  it.live("a task found by id and cancelled from the found row shows that it was cancelled", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "job-1" })
      yield* manager.add("hold", "b", { id: "job-2" })
      yield* eventually(manager.status("job-1"), (task) => task.state === "running", "job-1 running")
      const page = yield* pageOf(browser())
      yield* on(() => page.goto(url))
      const jobs = page.locator("[data-manager=\"jobs\"]")
      yield* on(() => jobs.getByLabel("Find a task by id").fill("job-2"))
      yield* on(() => jobs.getByRole("button", { name: "Find" }).click())
      const found = jobs.locator(".found tr[data-task-id=\"job-2\"]")
      yield* on(() => found.locator("button[data-action=\"cancel\"]").click())
      yield* on(() => page.locator("#action-status", { hasText: "Cancelled job-2" }).waitFor())
      assert.strictEqual((yield* manager.status("job-2")).state, "cancelled")
      // the page keeps updating (every 100 ms); give it 3 s to show the found task as it is now
      const shown = yield* on(() =>
        found.and(page.locator("[data-state=\"cancelled\"]")).waitFor({ timeout: 3_000 }).then(
          () => "cancelled",
          async () => await found.getAttribute("data-state")
        )
      )
      assert.strictEqual(shown, "cancelled", "the found row still shows the task as it was when found")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, write: true, every: "100 millis" }))))
})
