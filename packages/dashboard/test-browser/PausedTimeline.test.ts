/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * Pause freezes the Timeline only until the user touches it — zooming (or choosing a span)
 * while paused redraws it at the newest snapshot's "now", not at the moment paused: the bars the
 * user paused to look at move left by the time spent paused, and out of a short span.
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { browserForFile, on, pageOf } from "./chromium.js"

const browser = browserForFile()

describe("review: Pause", () => {
  it.live("zooming in while paused keeps the paused moment: the task just ended stays in view", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const page = yield* pageOf(browser())
      yield* on(() => page.goto(url))
      yield* on(() => page.getByRole("status").first().getByText("Live").waitFor())
      const pool = yield* FiberPool.make({ concurrency: 1, name: "paused" })
      yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
      yield* on(() => page.locator("#timeline svg[aria-label=\"1 tasks ended in the last 30 s\"]").waitFor())
      yield* on(() => page.getByRole("button", { name: "Pause" }).click())
      // the user looks at the paused Timeline for a while, then zooms in on the task: 30 s → 10 s → 5 s
      yield* Effect.sleep("6 seconds")
      yield* on(() => page.getByRole("button", { name: /^Zoom in/ }).click())
      yield* on(() => page.getByRole("button", { name: /^Zoom in/ }).click())
      assert.strictEqual(yield* on(() => page.getByLabel("Span", { exact: true }).inputValue()), "5000")
      const label = yield* on(() => page.locator("#timeline svg").getAttribute("aria-label"))
      assert.strictEqual(label, "1 tasks ended in the last 5 s")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, every: "100 millis" }))))
})
