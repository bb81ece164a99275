import { defineConfig, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// The limiters on Redis: `vitest.workspace.ts` runs them when FIBERKIT_REDIS_URL is set
const config = mergeConfig(shared, defineConfig({ test: { name: "ratelimit-redis" } }))
config.test!.include = ["test-redis/**/*.test.ts"]

export default config
