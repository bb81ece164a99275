/**
 * `pnpm bench`: runs every `packages/<name>/bench/*.bench.ts` (and `*.bench.mjs`, without tsx) of the workspace, one file per
 * process (so one file's garbage and JIT state never weigh on the next), in name order.
 *
 * fiberkit packages are measured as users get them: each process runs with the `bench` export
 * condition, which resolves `@fiberkit/*` to the built JavaScript in `dist/` (`pnpm bench`
 * builds first). Sources run through tsx carry esbuild's `keepNames` wrappers, which add a
 * `defineProperty` call to every closure created on a hot path.
 * Arguments: `--package <name>` (repeatable) to run only those packages; `--no-record` to
 * print without appending to BENCHMARKS.md.
 *
 * @since 0.1.0
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { workspaceRoot } from "./Report.js"

const args = process.argv.slice(2)
const only = args.flatMap((arg, i) => (arg === "--package" && args[i + 1] !== undefined ? [args[i + 1]!] : []))
const passOn = args.filter((arg) => arg === "--no-record")

const root = workspaceRoot()
const packagesDir = path.join(root, "packages")
const files = fs.readdirSync(packagesDir)
  .filter((name) => only.length === 0 || only.includes(name))
  .sort()
  .flatMap((name) => {
    const dir = path.join(packagesDir, name, "bench")
    return fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((file) => /\.bench\.m?[jt]s$/.test(file)).sort().map((file) => path.join(dir, file))
      : []
  })

if (files.length === 0) {
  process.stderr.write("no bench files found\n")
  process.exit(1)
}

let failed = 0
for (const file of files) {
  const relative = path.relative(root, file)
  process.stdout.write(`\n=== ${relative}\n`)
  const result = spawnSync(
    process.execPath,
    // a JavaScript suite runs as users run their build: without a TypeScript loader (which every
    // worker thread it starts would load too)
    ["--conditions=bench", "--expose-gc", ...(file.endsWith(".ts") ? ["--import", "tsx"] : []), file, ...passOn],
    {
      cwd: root,
      stdio: "inherit"
    }
  )
  if (result.status !== 0) {
    failed++
    process.stderr.write(`${relative} exited ${result.status ?? result.signal}\n`)
  }
}
process.exit(failed === 0 ? 0 : 1)
