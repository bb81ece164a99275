import * as path from "node:path"
import type { ViteUserConfig } from "vitest/config"

const config: ViteUserConfig = {
  esbuild: {
    target: "es2022"
  },
  test: {
    setupFiles: [path.join(__dirname, "packages/testkit/setupTests.ts")],
    fakeTimers: {
      toFake: undefined
    },
    sequence: {
      concurrent: true
    },
    include: ["test/**/*.test.ts"],
    // property tests run dozens of cases in one test: on a loaded 2-core CI machine 5 s is too
    // tight (a hang still fails, after 30 s)
    testTimeout: 30_000
  }
}

export default config
