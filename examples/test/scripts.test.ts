import { assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as path from "node:path"

const root = path.join(__dirname, "..", "..")

/** A module run before the script that makes the running Node report an old version. */
const pretendNode20 = `data:text/javascript,${
  encodeURIComponent(`Object.defineProperty(process.versions, "node", { value: "20.20.2" })`)
}`

describe("the workspace's scripts on a Node older than 22.19", () => {
  // Run with plain `node` (not through pnpm, which puts Node 24 first on PATH), each of them would
  // otherwise go on: build-native.mjs would build better-sqlite3 for that Node, leaving the
  // workspace's Node 24 with an addon it cannot load.
  for (const script of ["build-native", "consumer-test", "check-packages", "test-node22", "pack-packages"]) {
    it(`${script}.mjs stops at once, saying what to do, and does nothing`, () => {
      const result = spawnSync(process.execPath, ["--import", pretendNode20, `scripts/${script}.mjs`], {
        cwd: root,
        encoding: "utf8",
        timeout: 60_000
      })
      assert.strictEqual(result.status, 1, result.stdout + result.stderr)
      assert.include(result.stderr, "fiberkit needs Node 22.19 or newer (24 LTS recommended); this is Node 20.20.2.")
      assert.include(result.stderr, "npx -y pnpm@10 install && npx -y pnpm@10 verify")
      assert.strictEqual(result.stdout, "")
    })
  }
})
