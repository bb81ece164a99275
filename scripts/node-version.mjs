// The Node versions fiberkit is developed and tested on: 24 LTS (the workspace's own, which
// `pnpm install` puts first on the scripts' PATH on Linux x64), and 22 from 22.19 (the oldest
// Effect 4 supports). Imported first by every script and by vitest.workspace.ts: an older Node
// (20 reached its end of life on 2026-04-30) stops the run at once, saying what to do, instead of
// failing later on a native addon or a missing API, or (scripts/build-native.mjs) building
// better-sqlite3 for a Node the workspace does not run on.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number)

if (major < 22 || (major === 22 && minor < 19)) {
  console.error(
    [
      `fiberkit needs Node 22.19 or newer (24 LTS recommended); this is Node ${process.versions.node}.`,
      "Run it through pnpm, which puts the workspace's Node 24 first on PATH:",
      "  npx -y pnpm@10 install && npx -y pnpm@10 verify",
      "or install Node 24 yourself."
    ].join("\n")
  )
  process.exit(1)
}
