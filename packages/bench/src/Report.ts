/**
 * Turns suite results into the markdown that `pnpm bench` prints and appends to
 * `BENCHMARKS.md`, headed by a description of the machine that ran them.
 *
 * @since 0.1.0
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Suite from "./Suite.js"

const ms = (value: number): string =>
  value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value >= 1 ? value.toFixed(2) : value.toFixed(3)

const us = (
  value: number
): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2))

/**
 * The machine line: CPU model, cores, memory, Node version, platform.
 *
 * **Example**
 *
 * ```ts
 * import { Report } from "@fiberkit/bench"
 *
 * Report.machine() // "Intel(R) Xeon(R) … × 2 cores, 24 GiB, Node v24.22.3, linux x64"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const machine = (): string => {
  const cpus = os.cpus()
  const model = cpus[0]?.model.trim() ?? "unknown CPU"
  const memory = Math.round(os.totalmem() / 2 ** 30)
  return `${model} × ${cpus.length} cores, ${memory} GiB, Node ${process.version}, ${process.platform} ${process.arch}`
}

/**
 * A markdown table of one suite's result: median per run, per operation, ratio to the
 * reference, and sample count.
 *
 * **Example**
 *
 * ```ts
 * import { Report, Suite } from "@fiberkit/bench"
 *
 * const text = Report.table(await Suite.run({ title: "noop", contenders: [{ name: "a", run: () => 1 }] }))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const table = (result: Suite.Result): string => {
  const lines = [
    `### ${result.suite.title}`,
    "",
    ...(result.suite.description === undefined ? [] : [result.suite.description, ""]),
    `| contender | median per run (ms) | per operation (µs) | ratio to ${result.reference} | samples |`,
    "| --- | ---: | ---: | ---: | ---: |",
    ...result.rows.map((row) =>
      `| ${row.name} | ${ms(row.median)} | ${us(row.perOperation)} | ${row.ratio.toFixed(2)}× | ${row.samples} |`
    )
  ]
  return lines.join("\n")
}

/**
 * A dated section for `BENCHMARKS.md`: the source file, the machine, and every suite's table.
 *
 * **Example**
 *
 * ```ts
 * import { Report } from "@fiberkit/bench"
 *
 * const text = Report.section("packages/bench/bench/tiny-tasks.bench.ts", [])
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const section = (source: string, results: ReadonlyArray<Suite.Result>, date = new Date()): string =>
  [
    `## ${source} — ${date.toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${machine()}`,
    "",
    ...results.flatMap((result) => [table(result), ""])
  ].join("\n")

/**
 * The workspace root: the nearest folder above `from` holding `pnpm-workspace.yaml`.
 *
 * **Example**
 *
 * ```ts
 * import { Report } from "@fiberkit/bench"
 *
 * const benchmarks = `${Report.workspaceRoot()}/BENCHMARKS.md`
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const workspaceRoot = (from: string = process.cwd()): string => {
  let dir = path.resolve(from)
  while (!fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`)
    dir = parent
  }
  return dir
}

/**
 * Runs suites one after another, prints each table as it completes, and appends the section to
 * `BENCHMARKS.md` at the workspace root — unless the command line has `--no-record`. `source`
 * names the bench file by its path in the repository.
 *
 * **Example**
 *
 * ```ts
 * import { Report, type Suite } from "@fiberkit/bench"
 *
 * declare const suite: Suite.Suite
 * await Report.main("packages/sync/bench/lock.bench.ts", [suite])
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const main = async (
  source: string,
  suites: ReadonlyArray<Suite.Suite>
): Promise<ReadonlyArray<Suite.Result>> => {
  const results: Array<Suite.Result> = []
  for (const suite of suites) {
    process.stdout.write(`\nrunning "${suite.title}" …\n`)
    const result = await Suite.run(suite)
    results.push(result)
    process.stdout.write(`\n${table(result)}\n`)
  }
  if (!process.argv.includes("--no-record")) {
    const file = path.join(workspaceRoot(), "BENCHMARKS.md")
    fs.appendFileSync(file, `\n${section(source, results)}`)
    process.stdout.write(`\nrecorded in BENCHMARKS.md\n`)
  }
  return results
}
