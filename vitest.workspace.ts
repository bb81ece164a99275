import { defineWorkspace } from "vitest/config"

// One vitest project per package, plus the examples' smoke tests. Each project's own
// `vitest.config.ts` merges `vitest.shared.ts`.
export default defineWorkspace(["packages/*", "examples"])
