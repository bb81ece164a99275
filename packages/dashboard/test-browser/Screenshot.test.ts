/**
 * The README's screenshot: the page of a busy program (a pool, a rate limiter, a bounded queue and
 * a task manager whose emails to invalid addresses fail), in a test file of its own so that only
 * that program's instances are on it. `FIBERKIT_UPDATE_SCREENSHOT=1` writes it to
 * `docs/dashboard.png`; otherwise under `build/`, checked, and not kept.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import * as Dashboard from "../src/Dashboard.js"
import { browserForFile, on, pageOf } from "./chromium.js"
import { mixedWorkload } from "./mixedWorkload.js"

const browser = browserForFile()

const writable = Dashboard.layer({ port: 0, write: true, every: "100 millis" })

describe("the dashboard page", () => {
  it.live("writes a screenshot of a mixed workload for the README", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      yield* mixedWorkload
      const page = yield* pageOf(browser(), { width: 1200, height: 1100 })
      yield* on(() => page.goto(url))
      yield* on(() => page.locator("tr.instance-row[data-source=\"TaskManager\"][data-group=\"emails\"]").waitFor())
      yield* on(() => page.locator("#timeline rect.failure").first().waitFor())
      yield* on(() => page.locator("[data-manager=\"emails\"]").getByRole("button", { name: /^failed/ }).click())
      yield* on(() => page.locator("[data-manager=\"emails\"] tr[data-state=\"failed\"]").first().waitFor())
      yield* Effect.sleep("2 seconds") // a Timeline with some history
      yield* on(() => page.getByLabel("Span", { exact: true }).selectOption("5000"))
      // docs/dashboard.png when asked (FIBERKIT_UPDATE_SCREENSHOT=1), else under build/
      const file = process.env.FIBERKIT_UPDATE_SCREENSHOT === "1"
        ? path.join(__dirname, "../docs/dashboard.png")
        : path.join(__dirname, "../build/dashboard.png")
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, yield* on(() => page.screenshot({ fullPage: true })))
      const png = readFileSync(file)
      assert.deepStrictEqual([...png.subarray(1, 4)], [...Buffer.from("PNG")])
      assert.strictEqual(png.readUInt32BE(16), 1200) // the width in the PNG header
    }).pipe(Effect.scoped, Effect.provide(writable)))
})
