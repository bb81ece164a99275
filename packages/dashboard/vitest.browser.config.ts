import { defineConfig, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// The end-to-end tests in headless Chromium: `vitest.workspace.ts` runs them when a Chromium is
// found (FIBERKIT_CHROMIUM, else `chromium` on the PATH — `.ci/run` installs Debian's)
const config = mergeConfig(shared, defineConfig({ test: { name: "dashboard-browser", testTimeout: 90_000 } }))
config.test!.include = ["test-browser/**/*.test.ts"]

export default config
