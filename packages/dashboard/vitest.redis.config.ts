import { defineConfig, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

// The dashboard of a BullMQ task manager: `vitest.workspace.ts` runs it when FIBERKIT_REDIS_URL is set
const config = mergeConfig(shared, defineConfig({ test: { name: "dashboard-redis" } }))
config.test!.include = ["test-redis/**/*.test.ts"]

export default config
