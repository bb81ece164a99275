import "./scripts/node-version.mjs"
import { chromiumPath } from "./packages/dashboard/test-browser/chromiumPath.js"

// One vitest project per package, plus the examples' smoke tests: the list vitest.config.ts
// gives to `test.projects` (vitest 5 reads no workspace file). Each project's own
// `vitest.config.ts` merges `vitest.shared.ts`.
//
// The integration tests of the BullMQ store, of the limiters on Redis and of the dashboard of a
// BullMQ task manager need Redis: they run when
// FIBERKIT_REDIS_URL is set (`.ci/run` starts a Redis on 127.0.0.1 and sets it), and are skipped,
// saying so, when it is not.
const redis = process.env.FIBERKIT_REDIS_URL
if (redis === undefined || redis === "") {
  console.log(
    "[fiberkit] tasks-redis, ratelimit-redis and dashboard-redis skipped: FIBERKIT_REDIS_URL is not set (their integration tests need Redis)"
  )
}

// The dashboard's end-to-end tests need a Chromium (`.ci/run` installs Debian's `chromium`): they run
// when one is found, and are skipped, saying so, when none is.
const chromium = chromiumPath()
if (chromium === undefined) {
  console.log(
    "[fiberkit] dashboard-browser skipped: no Chromium found (set FIBERKIT_CHROMIUM, or install Debian's chromium)"
  )
}

export const projects: ReadonlyArray<string> = [
  "packages/*",
  "examples",
  ...(chromium === undefined ? [] : ["packages/dashboard/vitest.browser.config.ts"]),
  ...(redis === undefined || redis === ""
    ? []
    : [
      "packages/tasks/vitest.redis.config.ts",
      "packages/ratelimit/vitest.redis.config.ts",
      "packages/dashboard/vitest.redis.config.ts"
    ])
]
