/**
 * The dashboard in a real browser (headless Chromium): the page loads and goes live, its figures
 * change as work runs, the Timeline draws the tasks that ran, `cancel` and `retry` act on the task
 * of the row clicked (by keyboard too), the token guard refuses the page without it, the page reads
 * on a narrow screen — and a screenshot is written for the README.
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Deferred, Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { eventually, workload } from "../test/fixtures.js"
import { browserForFile, on, pageOf } from "./chromium.js"

const browser = browserForFile()

const writable = Dashboard.layer({ port: 0, write: true, every: "100 millis" })

describe("the dashboard page", () => {
  it.live("loads, goes live, and its figures change as work runs", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const page = yield* pageOf(browser())
      const pool = yield* FiberPool.make({ concurrency: 2, name: "resizer" })
      yield* on(() => page.goto(url))
      yield* on(() => page.getByRole("status").first().getByText("Live").waitFor())
      assert.strictEqual(yield* on(() => page.title()), "fiberkit · dashboard")
      const row = page.locator("tr.instance-row[data-source=\"FiberPool\"][data-group=\"resizer\"]")
      yield* on(() => row.waitFor())
      assert.strictEqual(yield* on(() => row.locator(".running").textContent()), "0")

      const gate = yield* Deferred.make<void>()
      const futures = yield* Effect.forEach([1, 2, 3], () => pool.submit(Deferred.await(gate)))
      yield* on(() => row.locator(".running", { hasText: /^2$/ }).waitFor())
      assert.strictEqual(yield* on(() => row.locator(".pending").textContent()), "1")
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.forEach(futures, (future) => future.result)
      yield* on(() => row.locator(".succeeded", { hasText: /^3$/ }).waitFor())
      assert.strictEqual(yield* on(() => row.locator(".running").textContent()), "0")
      // the three tasks on the Timeline, each a bar with its outcome
      yield* on(() => page.locator("#timeline rect.success").nth(2).waitFor())
      const label = yield* on(() => page.locator("#timeline svg").getAttribute("aria-label"))
      assert.match(label ?? "", /^3 tasks ended in the last 30 s$/)
      // zoomed in by the + button, then out by the − button and the Span list
      yield* on(() => page.getByRole("button", { name: /^Zoom in/ }).click())
      assert.strictEqual(yield* on(() => page.getByLabel("Span", { exact: true }).inputValue()), "10000")
      yield* on(() => page.locator("#timeline svg[aria-label$=\"in the last 10 s\"]").waitFor())
      yield* on(() => page.getByRole("button", { name: /^Zoom out/ }).click())
      yield* on(() => page.getByLabel("Span", { exact: true }).selectOption("60000"))
      yield* on(() => page.locator("#timeline svg[aria-label=\"3 tasks ended in the last 1 min\"]").waitFor())
    }).pipe(Effect.scoped, Effect.provide(writable)))

  it.live("cancel and retry act on the task of the row clicked, and nothing else", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager, release } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "job-1" })
      yield* manager.add("hold", "b", { id: "job-2" })
      yield* manager.add("hold", "c", { id: "job-3" })
      yield* eventually(manager.status("job-1"), (task) => task.state === "running", "job-1 running")
      const page = yield* pageOf(browser())
      yield* on(() => page.goto(url))
      const jobs = page.locator("[data-manager=\"jobs\"]")
      yield* on(() => jobs.locator("tr[data-task-id=\"job-2\"]").waitFor())

      yield* on(() => page.getByRole("button", { name: "Cancel task job-2" }).click())
      yield* on(() => page.locator("#action-status", { hasText: "Cancelled job-2" }).waitFor())
      assert.deepStrictEqual(
        yield* Effect.forEach(["job-1", "job-2", "job-3"], (id) => Effect.map(manager.status(id), (t) => t.state)),
        ["running", "cancelled", "queued"]
      )
      yield* release

      yield* manager.add("fail", { message: "disk full", once: false }, { id: "bad-1" })
      yield* manager.add("fail", { message: "timeout", once: true }, { id: "bad-2" })
      yield* eventually(manager.list({ state: "failed" }), (tasks) => tasks.length === 2, "2 failed")
      yield* on(() => jobs.getByRole("button", { name: /^failed/ }).click())
      const bad2 = jobs.locator("tr[data-task-id=\"bad-2\"]")
      yield* on(() => bad2.waitFor())
      assert.strictEqual(yield* on(() => bad2.locator(".error").textContent()), "timeout")
      // by keyboard: focus the row's Retry button and press Enter
      yield* on(() => page.getByRole("button", { name: "Retry task bad-2" }).focus())
      yield* on(() => page.keyboard.press("Enter"))
      yield* on(() => page.locator("#action-status", { hasText: "bad-2 went back to the queue" }).waitFor())
      yield* eventually(manager.status("bad-2"), (task) => task.state === "succeeded", "bad-2 succeeded")
      const bad1 = yield* manager.status("bad-1")
      assert.deepStrictEqual([bad1.state, bad1.replays], ["failed", 0])

      // search by id finds a task whatever state is shown
      yield* on(() => jobs.getByLabel("Find a task by id").fill("job-3"))
      yield* on(() => jobs.getByRole("button", { name: "Find" }).click())
      yield* on(() => jobs.locator(".found tr[data-task-id=\"job-3\"][data-state=\"succeeded\"]").waitFor())

      yield* on(() => jobs.getByRole("button", { name: "Retry all failed" }).click())
      yield* on(() =>
        page.locator("#action-status", { hasText: "1 failed task of jobs went back to the queue" }).waitFor()
      )
      yield* eventually(manager.status("bad-1"), (task) => task.replays === 1, "bad-1 replayed")
    }).pipe(Effect.scoped, Effect.provide(writable)))

  it.live("read only: no action is offered", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "job-1" })
      yield* manager.add("hold", "b", { id: "job-2" })
      const page = yield* pageOf(browser())
      yield* on(() => page.goto(url))
      yield* on(() => page.locator("tr[data-task-id=\"job-2\"]").waitFor())
      assert.strictEqual(yield* on(() => page.locator("#mode").textContent()), "Read only")
      assert.strictEqual(yield* on(() => page.getByRole("button", { name: /Cancel|Retry/ }).count()), 0)
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, every: "100 millis" }))))

  it.live("the token guard refuses the page without the token, and serves it with", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const page = yield* pageOf(browser())
      const refused = yield* on(() => page.goto(url))
      assert.strictEqual(refused?.status(), 401)
      assert.include(yield* on(() => page.textContent("body")), "a token is required")
      const served = yield* on(() => page.goto(`${url}?token=open-sesame`))
      assert.strictEqual(served?.status(), 200)
      yield* on(() => page.getByRole("status").first().getByText("Live").waitFor())
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, token: "open-sesame" }))))

  it.live("reads on a narrow screen: no sideways scrolling, figures as labelled cards", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const pool = yield* FiberPool.make({ concurrency: 2, name: "narrow" })
      yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
      const page = yield* pageOf(browser(), { width: 360, height: 740 })
      yield* on(() => page.goto(url))
      const row = page.locator("tr.instance-row[data-group=\"narrow\"]")
      yield* on(() => row.waitFor())
      const overflow = yield* on(() =>
        page.locator("html").evaluate((html) => html.scrollWidth - html.ownerDocument.defaultView!.innerWidth)
      )
      assert.isAtMost(overflow, 0)
      assert.isFalse(yield* on(() => page.locator("#instances thead").isVisible()))
      // each figure a line of its own, named by its label (the table's header is hidden)
      const running: unknown = yield* on(() =>
        page.evaluate(`(() => {
          const td = document.querySelector('tr.instance-row[data-group="narrow"] td:nth-child(3)')
          return [td.dataset.label, getComputedStyle(td).display, getComputedStyle(td, "::before").content]
        })()`)
      )
      const [label, display, before] = running as [string, string, string]
      assert.deepStrictEqual([label, display], ["Running", "block"])
      assert.match(before, /Running/)
    }).pipe(Effect.scoped, Effect.provide(writable)))
})
