/**
 * The example tour (`pnpm demo`): runs every numbered example in this folder in order, each in
 * its own process, under a header naming the guide section it shows. Stops with a non-zero
 * exit code if any example fails. The thread-pool example runs with `--timeline
 * timeline-thread-pool.svg --chart`: it prints its Timeline and writes it to that file, in the
 * current folder.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const dir = path.dirname(fileURLToPath(import.meta.url))

/** The number of an example, with its letter if it has one: `12` of `12-web-scraping.ts`, `12b` of `12b-file-pipeline.ts`. */
const number = (file: string): string => file.slice(0, file.indexOf("-"))

/** Every numbered example (`NN-name.ts`, or `NNx-name.ts` for a second one of a section), in tour order: 12-…, 12b-…, 13-…. */
export const examples = (): ReadonlyArray<string> =>
  fs.readdirSync(dir).filter((file) => /^\d\d[a-z]?-.+\.ts$/.test(file)).sort((a, b) =>
    number(a).localeCompare(number(b)) || a.localeCompare(b)
  )

/** The first line of an example's module comment: the guide section it shows. */
export const title = (file: string): string => {
  const match = /\/\*\*\s*\n\s*\*\s*(.+)\n/.exec(fs.readFileSync(path.join(dir, file), "utf8"))
  return match?.[1] ?? file
}

/** The arguments an example runs with in the tour, beside its path. */
const tourArgs: Readonly<Record<string, ReadonlyArray<string>>> = {
  "06-thread-pool.ts": ["--timeline", "timeline-thread-pool.svg", "--chart"]
}

const main = () => {
  const started = Date.now()
  const failures: Array<string> = []
  for (const file of examples()) {
    const header = `${number(file)} · ${title(file)}`
    process.stdout.write(`\n━━━ ${header} ${"━".repeat(Math.max(3, 76 - header.length))}\n\n`)
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(dir, file), ...(tourArgs[file] ?? [])], {
      stdio: "inherit"
    })
    if (result.status !== 0) failures.push(file)
  }
  const total = ((Date.now() - started) / 1000).toFixed(1)
  const count = examples().length
  process.stdout.write(`\n${count} example${count === 1 ? "" : "s"} in ${total}s`)
  process.stdout.write(failures.length === 0 ? ", all passed\n" : `; failed: ${failures.join(", ")}\n`)
  process.exit(failures.length === 0 ? 0 : 1)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
