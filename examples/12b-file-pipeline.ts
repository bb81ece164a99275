/**
 * File processing pipeline — Files.processFiles, the guide's process_file_batch on real files.
 *
 * The guide's `process_file_batch(filenames)` maps `process_single_file` over
 * `["data1.csv", "data2.json", "data3.xml", "data4.txt"]` on a `ThreadPoolExecutor(max_workers=3)`,
 * each call sleeping 0.5 s and returning mock line counts. Here the files are real: the example
 * writes 20 of them, from a few lines to a few megabytes, in a fresh temporary folder
 * (`fs.mkdtempSync`), and `Files.processFiles` runs a processor on each, 4 at a time, through
 * effect's `FileSystem`. The processor counts the lines (`Files.lineCount`, as
 * `wc -l` does) and computes the SHA-256 (`Files.sha256`); both stream the file in chunks, so a
 * file larger than memory would be fine. Each count and checksum is checked against the content
 * the example wrote.
 *
 * Each path gives one outcome. A 21st path names a file that does not exist: its outcome is a
 * typed `FileUnreadable` failure, and the other files are processed all the same — no exception
 * to catch, no pool to shut down. The folder is deleted at the end, however the program ends.
 *
 * `--timeline FILE.svg` draws the processing of each file in FILE.svg, packed into as many rows
 * as ran at once (4) — the large files' long bars, the missing file's failure; `--chart` prints
 * the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/12b-file-pipeline.ts
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Timeline } from "@fiberkit/observe"
import { Files } from "@fiberkit/pipelines"
import { Clock, Console, Effect, Result, Stream } from "effect"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { withTimeline } from "./timeline.js"

const FILES = 20
const CONCURRENCY = 4

/** A row of a file of the guide's four kinds. */
const row = (extension: string, i: number) => {
  switch (extension) {
    case "csv":
      return `${i},customer-${i % 97},${(i * 7919) % 10_000}\n`
    case "json":
      return `{"id": ${i}, "customer": "customer-${i % 97}", "amount": ${(i * 7919) % 10_000}}\n`
    case "xml":
      return `<order id="${i}"><customer>customer-${i % 97}</customer></order>\n`
    default:
      return `line ${i}: the quick brown fox jumps over the lazy dog\n`
  }
}

/** The files to write: the guide's names, from 3 lines to 100,000 (a few MB); the same on every run. */
const specs = Array.from({ length: FILES }, (_, i) => {
  const extension = ["csv", "json", "xml", "txt"][i % 4]!
  const lines = i === 7 ? 100_000 : i === 15 ? 40_000 : 3 + (i * 4_999) % 7_000
  return { name: `data${i + 1}.${extension}`, extension, lines }
})

interface Written {
  readonly path: string
  readonly lines: number
  readonly bytes: number
  readonly sha256: string
}

/** A fresh temporary folder with the files written in it; deleted with its scope. */
const folder = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-files-"))
    const written = specs.map(({ extension, lines, name }): Written => {
      const content = Buffer.from(Array.from({ length: lines }, (_, i) => row(extension, i + 1)).join(""))
      const file = path.join(dir, name)
      fs.writeFileSync(file, content)
      return { path: file, lines, bytes: content.length, sha256: createHash("sha256").update(content).digest("hex") }
    })
    return { dir, written }
  }),
  ({ dir }) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

const program = Effect.gen(function*() {
  const { dir, written } = yield* folder
  const missing = path.join(dir, "data21.csv") // never written
  const paths = [...written.map((file) => file.path), missing]
  const totalBytes = written.reduce((total, file) => total + file.bytes, 0)
  yield* Console.log(
    `Wrote ${written.length} files (${Math.min(...written.map((file) => file.lines)).toLocaleString("en-US")} to ` +
      `${Math.max(...written.map((file) => file.lines)).toLocaleString("en-US")} lines, ` +
      `${(totalBytes / 1_000_000).toFixed(1)} MB in all) in a new temporary folder; a 21st path names no file`
  )
  yield* Console.log(
    `Files.processFiles(${paths.length} paths, (path) => Effect.all({ lines: Files.lineCount(path), ` +
      `sha256: Files.sha256(path) }), { concurrency: ${CONCURRENCY} })\n`
  )

  const start = yield* Clock.currentTimeMillis
  const outcomes = yield* Files.processFiles(
    paths,
    (file) =>
      Effect.all({ lines: Files.lineCount(file), sha256: Files.sha256(file) }).pipe(
        Timeline.recorded(path.basename(file), { source: "Files.processFiles", group: `concurrency ${CONCURRENCY}` })
      ),
    { concurrency: CONCURRENCY }
  ).pipe(Stream.runCollect)
  const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000

  // One outcome per path; printed in the order of the paths
  const byPath = new Map(
    outcomes.map((outcome) =>
      [Result.isSuccess(outcome) ? outcome.success.path : outcome.failure.path, outcome] as const
    )
  )
  let allMatch = true
  for (const file of paths) {
    const outcome = byPath.get(file)
    const name = path.basename(file).padEnd(11)
    if (outcome === undefined) {
      allMatch = false
      yield* Console.log(`${name} no outcome`)
    } else if (Result.isFailure(outcome)) {
      const error = outcome.failure
      yield* Console.log(`${name} ${error._tag}: ${error.reason.replaceAll(dir, "<temp folder>")}`)
    } else {
      const { lines, sha256 } = outcome.success.value
      const expected = written.find((w) => w.path === file)!
      const match = lines === expected.lines && sha256 === expected.sha256
      allMatch &&= match
      yield* Console.log(
        `${name} ${lines.toLocaleString("en-US").padStart(7)} lines  ` +
          `${expected.bytes.toLocaleString("en-US").padStart(9)} bytes  sha256 ${sha256.slice(0, 12)}…  ` +
          (match ? "✓" : `✗ expected ${expected.lines} lines, sha256 ${expected.sha256.slice(0, 12)}…`)
      )
    }
  }

  const processed = outcomes.filter(Result.isSuccess)
  const lines = processed.reduce((total, outcome) => total + outcome.success.value.lines, 0)
  yield* Console.log(
    `\n${processed.length} of ${paths.length} files processed, ${lines.toLocaleString("en-US")} lines, ` +
      `${paths.length - processed.length} failed, in ${seconds.toFixed(2)}s`
  )
  yield* Console.log(`Every line count and checksum matches the content written: ${allMatch}`)
}).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))

NodeRuntime.runMain(
  withTimeline(program, { title: "12b · File processing pipeline: 21 paths through Files.processFiles, 4 at a time" })
)
