import "./scripts/node-version.mjs"

// One vitest project per package, plus the examples' smoke tests: the list vitest.config.ts
// gives to `test.projects` (vitest 5 reads no workspace file). Each project's own
// `vitest.config.ts` merges `vitest.shared.ts`.
//
// The integration tests of the BullMQ store and of the limiters on Redis need Redis: they run when
// FIBERKIT_REDIS_URL is set (`.ci/run` starts a Redis on 127.0.0.1 and sets it), and are skipped,
// saying so, when it is not.
const redis = process.env.FIBERKIT_REDIS_URL
if (redis === undefined || redis === "") {
  console.log(
    "[fiberkit] tasks-redis and ratelimit-redis skipped: FIBERKIT_REDIS_URL is not set (their integration tests need Redis)"
  )
}

export const projects: ReadonlyArray<string> = [
  "packages/*",
  "examples",
  ...(redis === undefined || redis === ""
    ? []
    : ["packages/tasks/vitest.redis.config.ts", "packages/ratelimit/vitest.redis.config.ts"])
]
