// Packs every publishable package (not `private`) of packages/ as `pnpm publish` would, its
// publishConfig applied: `pnpm pack` in the package's folder. Shared by check-packages.mjs and
// consumer-test.mjs.
import "./node-version.mjs"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

/** The repository's root folder. */
export const root = path.resolve(import.meta.dirname, "..")

/** The file name `pnpm pack` gives a package's tarball: @fiberkit/x@0.1.0 → fiberkit-x-0.1.0.tgz. */
export const tarballName = (manifest) => `${manifest.name.replace("@", "").replace("/", "-")}-${manifest.version}.tgz`

/**
 * The publishable packages of packages/, sorted by folder: `{ name, version, dir, manifest }`
 * (the manifest as in the repository, before pnpm applies its publishConfig).
 */
export const publishablePackages = () =>
  fs.readdirSync(path.join(root, "packages")).sort().flatMap((folder) => {
    const dir = path.join(root, "packages", folder)
    const file = path.join(dir, "package.json")
    if (!fs.existsSync(file)) return []
    const manifest = JSON.parse(fs.readFileSync(file, "utf8"))
    return manifest.private === true ? [] : [{ name: manifest.name, version: manifest.version, dir, manifest }]
  })

/**
 * Packs every publishable package into `destination` (an existing folder). Returns
 * `{ packed, failures }`: `packed` the packages packed, each with `tarball` (its absolute path);
 * `failures` one message per package `pnpm pack` could not pack, with its output.
 */
export const packPackages = (destination) => {
  const packed = []
  const failures = []
  for (const pkg of publishablePackages()) {
    const result = spawnSync("npx", ["-y", "pnpm@10", "pack", "--pack-destination", destination], {
      cwd: pkg.dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"]
    })
    const tarball = path.join(destination, tarballName(pkg.manifest))
    if (result.status !== 0 || !fs.existsSync(tarball)) {
      failures.push(`${pkg.name}: pnpm pack failed\n${result.stdout ?? ""}${result.stderr ?? ""}`)
      continue
    }
    packed.push({ ...pkg, tarball })
  }
  return { packed, failures }
}
