// Packs every publishable package as `pnpm publish` would (its publishConfig applied), then
// checks each tarball: publint (strict: a warning fails too) and Are the Types Wrong (ESM only:
// every entry point, the index and each public module, must resolve with its types under
// node16 from ESM and bundlers). Run after `pnpm build`: `pnpm check:packages`.
import "./node-version.mjs"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { packPackages, root } from "./pack-packages.mjs"

const bin = (name) => path.join(root, "node_modules", ".bin", name)
const out = fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-packs-"))

const run = (command, args, cwd) => {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
  return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` }
}

const failures = []
try {
  const { failures: packFailures, packed } = packPackages(out)
  for (const failure of packFailures) failures.push(failure)
  for (const { dir, manifest, tarball } of packed) {
    const modules = fs.readdirSync(path.join(dir, "src"))
      .filter((file) => file.endsWith(".ts") && file !== "index.ts")
      .map((file) => `./${file.slice(0, -3)}`)
    const checks = [
      ["publint", run(bin("publint"), ["--strict", tarball], root)],
      [
        "attw",
        run(
          bin("attw"),
          [tarball, "--profile", "esm-only", "--format", "ascii", "--entrypoints", ".", ...modules],
          root
        )
      ]
    ]
    for (const [tool, result] of checks) {
      if (result.status !== 0) failures.push(`${manifest.name}: ${tool} reported problems\n${result.output}`)
    }
    console.log(`${manifest.name}: publint and attw ${checks.every(([, r]) => r.status === 0) ? "clean" : "FAILED"}`)
  }
} finally {
  fs.rmSync(out, { recursive: true, force: true })
}
if (failures.length > 0) {
  console.error(failures.join("\n\n"))
  process.exit(1)
}
