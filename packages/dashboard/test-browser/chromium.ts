/**
 * Headless Chromium for the end-to-end tests: the browser of the machine (Debian's `chromium`
 * package), driven by `playwright-core` — no browser download.
 */
import { afterAll, beforeAll } from "@effect/vitest"
import { Effect } from "effect"
import { type Browser, chromium, type Page } from "playwright-core"
import { chromiumPath } from "./chromiumPath.js"

/** One browser for a test file: launched once, closed when the file's scope ends. */
export const launch = (): Promise<Browser> => {
  const executablePath = chromiumPath()
  if (executablePath === undefined) throw new Error("no Chromium: set FIBERKIT_CHROMIUM or put chromium on the PATH")
  // a container's root user has no sandbox to enter
  return chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] })
}

/** One browser for the test file that calls this (at its top): launched before its tests, closed after. */
export const browserForFile = (): () => Browser => {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launch()
  })
  afterAll(async () => {
    await browser?.close()
  })
  return () => browser!
}

/** A fresh page of `browser` (its own context: no shared storage) for the scope. */
export const pageOf = (browser: Browser, options?: { readonly width?: number; readonly height?: number }) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const context = await browser.newContext({
        viewport: { width: options?.width ?? 1280, height: options?.height ?? 900 },
        colorScheme: "light"
      })
      return context.newPage()
    }),
    (page: Page) => Effect.promise(() => page.context().close())
  )

/** A promise of the browser, as an Effect. */
export const on = <A>(f: () => Promise<A>): Effect.Effect<A> => Effect.promise(f)
