/**
 * The example tour (`pnpm demo`): runs every numbered example in this folder in order, each in
 * its own process, under a header naming the guide section it shows, and prints the seconds each
 * took, then the total. Ends with a non-zero exit code if any example fails. The thread-pool
 * example runs with `--timeline timeline-thread-pool.svg --chart`: it prints its Timeline and
 * writes it to that file, in the current folder.
 *
 * One after another, never at once: several examples print timings, which other work on the
 * machine would distort. Each example runs in its own process (no state, no fiber or handle left
 * over from one example to the next), compiled, as an application runs: `pnpm demo` builds the
 * packages and the examples first, and each example runs as `node --conditions=bench
 * build/NN-….js`, the `bench` export condition resolving `@fiberkit/*` to their builds. Run
 * through tsx instead (`node --import tsx NN-….ts`, as `pnpm tsx examples/<file>.ts` does), an
 * example starts about a second later: tsx's module hooks make a round trip for each of the
 * modules it loads (effect's index alone is 254) — the worker threads of the CPU examples load
 * tsx too. The tour is meant to take well under a minute; it prints each example's time (the
 * smoke tests check what an example prints, not how fast: speed is measured, never asserted).
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

/** Milliseconds as seconds to the tenth: `1.8 s`. */
const inSeconds = (millis: number): string => `${(millis / 1000).toFixed(1)} s`

/** The arguments an example runs with in the tour, beside its path. */
const tourArgs: Readonly<Record<string, ReadonlyArray<string>>> = {
  "06-thread-pool.ts": ["--timeline", "timeline-thread-pool.svg", "--chart"],
  // briefly: by hand, on a terminal, it runs for a minute so that its page can be looked at
  "20-dashboard.ts": ["--seconds", "3"]
}

const main = () => {
  const started = Date.now()
  const failures: Array<string> = []
  for (const file of examples()) {
    const header = `${number(file)} · ${title(file)}`
    process.stdout.write(`\n━━━ ${header} ${"━".repeat(Math.max(3, 76 - header.length))}\n\n`)
    const start = Date.now()
    const compiled = path.join(dir, "build", file.replace(/\.ts$/, ".js"))
    const result = spawnSync(process.execPath, ["--conditions=bench", compiled, ...(tourArgs[file] ?? [])], {
      stdio: "inherit"
    })
    const seconds = inSeconds(Date.now() - start)
    if (result.status === 0) {
      process.stdout.write(`\n✓ ${number(file)} passed in ${seconds}\n`)
    } else {
      failures.push(file)
      const reason = result.error?.message ??
        (result.signal !== null ? `killed by ${result.signal}` : `exit code ${result.status}`)
      process.stdout.write(`\n✗ ${number(file)} failed (${reason}) after ${seconds}\n`)
    }
  }
  const total = inSeconds(Date.now() - started)
  const count = examples().length
  process.stdout.write(`\n${count} example${count === 1 ? "" : "s"} in ${total}`)
  process.stdout.write(failures.length === 0 ? ", all passed\n" : `; failed: ${failures.join(", ")}\n`)
  process.exit(failures.length === 0 ? 0 : 1)
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main()
