/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * by keyboard only — a task cancelled with Enter leaves the list it was in, its button goes
 * with it, and the keyboard focus falls back to the top of the page (the next Tab starts over from
 * the header) instead of staying in the task manager the user was working in.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { eventually, workload } from "../test/fixtures.js"
import { browserForFile, on, pageOf } from "./chromium.js"

const browser = browserForFile()

describe("review: keyboard only", () => {
  it.live("after cancelling a task with Enter the focus stays in its task manager", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "job-1" })
      yield* manager.add("hold", "b", { id: "job-2" })
      yield* manager.add("hold", "c", { id: "job-3" })
      yield* eventually(manager.status("job-1"), (task) => task.state === "running", "job-1 running")
      const page = yield* pageOf(browser())
      yield* on(() => page.goto(url))
      const jobs = page.locator("[data-manager=\"jobs\"]")
      yield* on(() => jobs.locator(".list tr[data-task-id=\"job-2\"]").waitFor())
      yield* on(() => page.getByRole("button", { name: "Cancel task job-2" }).focus())
      yield* on(() => page.keyboard.press("Enter"))
      yield* on(() => page.locator("#action-status", { hasText: "Cancelled job-2" }).waitFor())
      // the next snapshots take job-2 out of the queued list
      yield* on(() => jobs.locator(".list tr[data-task-id=\"job-2\"]").waitFor({ state: "detached" }))
      yield* Effect.sleep("300 millis")
      const focused = yield* on(() =>
        page.evaluate(`(() => {
          const a = document.activeElement
          return a === null || a === document.body ? "body" : a.closest("[data-manager]") ? "in jobs" : a.outerHTML
        })()`)
      )
      assert.strictEqual(focused, "in jobs")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, write: true, every: "100 millis" }))))
})
