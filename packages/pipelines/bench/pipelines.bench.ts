/**
 * The pipelines benchmarks, on real I/O.
 *
 * HTTP: 2,000 requests at concurrency 50 against a local server (on its own thread) that
 * answers every request after 20 ms: `Fetch.fetchAll` on `NodeHttpClient.layerUndici` (with and
 * without the client's span per request), against a plain `Effect.forEach` over the same
 * `HttpClient`, Node's global `fetch` and undici's `request` behind a tiny inline limiter;
 * requests per second against the ideal (concurrency / latency = 2,500 per second).
 * `Fetch.fetchAll` on `NodeHttpClient.layerNodeHttp` (`node:http`), the slower client, is measured once
 * after the suite.
 *
 * Files: line counting over 200 files of 1 MiB through `Files.processFiles(…, Files.lineCount)`
 * at concurrency 1, 4 and 16, against `wc -l` on the same files (one process for all of them) and
 * plain Node read streams: MiB per second, and every contender must count the same lines.
 *
 * Both are bounded jobs, so they run as `Suite`s (interleaved rounds, medians); the derived
 * figures (requests/s and % of ideal, MiB/s) are printed under each table and recorded with the
 * tables in `BENCHMARKS.md`, in the layout of `Report.main`'s sections (honouring `--no-record`).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Report, Suite } from "@fiberkit/bench"
import { Fetch, Files } from "@fiberkit/pipelines"
import * as Effect from "effect/Effect"
import * as HttpClient from "effect/http/HttpClient"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Result from "effect/Result"
import * as Stream from "effect/Stream"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { Worker } from "node:worker_threads"
import * as Undici from "undici"

const SOURCE = "packages/pipelines/bench/pipelines.bench.ts"

const thousands = (value: number) => Math.round(value).toLocaleString("en")
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1))

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

const REQUESTS = 2_000
const CONCURRENCY = 50
const LATENCY = 20
const IDEAL = CONCURRENCY / (LATENCY / 1000)
const BODY = Buffer.from(`${"x".repeat(63)}\n`)

/**
 * The server runs on its own thread (its own event loop, as a server on another machine would):
 * the client's event loop carries only the client. It counts what it served, for the report.
 */
const serverSource = `
const http = require("node:http")
const { parentPort } = require("node:worker_threads")
const BODY = Buffer.from(${JSON.stringify(BODY.toString())})
let served = 0
const server = http.createServer((_request, response) => {
  served++
  setTimeout(() => {
    response.writeHead(200, { "content-type": "text/plain", "content-length": BODY.length })
    response.end(BODY)
  }, ${LATENCY})
})
// longer than any pause between two runs of one contender, so no kept-alive connection is closed
// by the server just as a client reuses it
server.keepAliveTimeout = 120000
parentPort.on("message", () => parentPort.postMessage(served))
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port))
`
const serverThread = new Worker(serverSource, { eval: true })
const port = await new Promise<number>((resolve) => serverThread.once("message", resolve))
const served = () =>
  new Promise<number>((resolve) => {
    serverThread.once("message", resolve)
    serverThread.postMessage("served?")
  })
const urls = Array.from({ length: REQUESTS }, (_, i) => `http://127.0.0.1:${port}/item/${i}`)

const undiciClient = ManagedRuntime.make(NodeHttpClient.layerUndici)
const nodeClient = ManagedRuntime.make(NodeHttpClient.layerNodeHttp)

const expectAll = (what: string, ok: number, failure?: unknown) => {
  if (ok !== REQUESTS) throw new Error(`${what}: ${ok} of ${REQUESTS} requests succeeded; first failure: ${failure}`)
}

const fetchAll = (
  runtime: ManagedRuntime.ManagedRuntime<HttpClient.HttpClient, never>,
  spans = true
) =>
async () => {
  const run = Fetch.summarize(Fetch.fetchAll(urls, { concurrency: CONCURRENCY }))
  const summary = await runtime.runPromise(
    spans ? run : Effect.provideService(run, HttpClient.TracerDisabledWhen, () => true)
  )
  const ok = summary.successful.filter((result) => result.status === 200 && result.bytes === BODY.length).length
  expectAll("Fetch.fetchAll", ok, summary.failed[0])
}

const effectForEach = (runtime: ManagedRuntime.ManagedRuntime<HttpClient.HttpClient, never>) => async () => {
  const sizes = await runtime.runPromise(
    Effect.flatMap(HttpClient.HttpClient, (client) =>
      Effect.forEach(
        urls,
        (url) => Effect.map(Effect.flatMap(client.get(url), (response) => response.arrayBuffer), (b) => b.byteLength),
        { concurrency: CONCURRENCY }
      ))
  )
  expectAll("Effect.forEach", sizes.filter((size) => size === BODY.length).length)
}

/** p-limit in a few lines: `concurrency` workers, each taking the next item until none is left. */
const limited = async <A>(items: ReadonlyArray<A>, concurrency: number, f: (item: A) => Promise<void>) => {
  let next = 0
  const worker = async () => {
    while (next < items.length) await f(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker))
}

const plainFetch = async () => {
  let ok = 0
  await limited(urls, CONCURRENCY, async (url) => {
    const response = await fetch(url)
    const body = await response.arrayBuffer()
    if (response.status === 200 && body.byteLength === BODY.length) ok++
  })
  expectAll("fetch", ok)
}

/** undici's own `request`, on an `Agent` of its own: the transport under `NodeHttpClient.layerUndici`. */
const agent = new Undici.Agent()
const plainUndici = async () => {
  let ok = 0
  await limited(urls, CONCURRENCY, async (url) => {
    const { pathname, origin } = new URL(url)
    const response = await agent.request({ origin, path: pathname, method: "GET" })
    const body = await response.body.arrayBuffer()
    if (response.statusCode === 200 && body.byteLength === BODY.length) ok++
  })
  expectAll("undici", ok)
}

const requests = REQUESTS.toLocaleString("en")
const httpSuite: Suite.Suite = {
  title: `${requests} requests at concurrency ${CONCURRENCY}, server answering after ${LATENCY} ms`,
  description: `A \`node:http\` server on 127.0.0.1, on a worker thread of the benchmark's process (its own ` +
    `event loop, so the second core), answers every GET after ${LATENCY} ms (\`setTimeout\`) with a ` +
    `${BODY.length}-byte body; ${requests} distinct URLs are fetched ${CONCURRENCY} at a time, every body read ` +
    `in full and every outcome checked (status 200, ${BODY.length} bytes). Ideal: ${CONCURRENCY} / ${LATENCY} ms ` +
    `= ${IDEAL.toLocaleString("en")} requests/s, ${REQUESTS / IDEAL * 1000} ms per run. No client reaches it: ` +
    `a timer of ${LATENCY} ms fires after ${LATENCY}–${LATENCY + 1} ms, and the ${CONCURRENCY} requests move in ` +
    `step, so the client's CPU time for all of them adds to each round trip. Each HTTP client is made once and ` +
    `reused by every run (kept-alive connections carry over). \`Fetch.fetchAll\` runs on ` +
    `\`NodeHttpClient.layerUndici\` (its own undici 7 \`Agent\`), the faster of the two clients of ` +
    `@effect/platform-node (\`NodeHttpClient.layerNodeHttp\`, on \`node:http\`, is measured once below the table), ` +
    `as configured by default (the \`HttpClient\` makes a span per request) and with those spans turned off ` +
    `(\`HttpClient.TracerDisabledWhen\`); \`Effect.forEach\` does the same fetches on the same client ` +
    `without \`fetchAll\` (\`response.arrayBuffer\`, no per-URL outcome); \`fetch\` is Node's global ` +
    `\`fetch\` (the undici bundled with Node) and \`undici request\` is undici 7's \`Agent.request\` (the ` +
    `transport under \`layerUndici\`, without Effect), each behind an inline p-limit-like limiter. Per ` +
    `operation: one request.`,
  operations: REQUESTS,
  reference: "Fetch.fetchAll, layerUndici",
  rounds: 5,
  time: 1,
  iterations: 2,
  contenders: [
    { name: "Fetch.fetchAll, layerUndici", run: fetchAll(undiciClient) },
    { name: "Fetch.fetchAll, layerUndici, no span per request", run: fetchAll(undiciClient, false) },
    { name: "Effect.forEach + HttpClient.get, layerUndici", run: effectForEach(undiciClient) },
    { name: "fetch + inline limiter", run: plainFetch },
    { name: "undici request + inline limiter", run: plainUndici }
  ]
}

/**
 * `NodeHttpClient.layerNodeHttp` against `layerUndici`, outside the suite (it is the slower one, and a run of it
 * takes long): one warm-up run, then the faster of two runs.
 */
const layerCheck = async (): Promise<string> => {
  const once = async () => {
    const start = performance.now()
    await fetchAll(nodeClient)()
    return performance.now() - start
  }
  await once()
  const best = Math.min(await once(), await once())
  const rate = REQUESTS / (best / 1000)
  return `\`Fetch.fetchAll\` on \`NodeHttpClient.layerNodeHttp\` (\`node:http\`; its \`http.Agent()\` has no keep-alive, ` +
    `so one TCP connection per request), the faster of 2 runs after a warm-up: ${ms(best)} ms per run, ` +
    `${thousands(rate)} requests/s, ${(rate / IDEAL * 100).toFixed(1)}% of ideal.`
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

const FILES = 200
const FILE_BYTES = 2 ** 20
const MIB = (FILES * FILE_BYTES) / 2 ** 20

/** mulberry32: the same files on every run of the benchmark. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** Writes each file: exactly `FILE_BYTES` bytes of text lines. Returns the lines written in all. */
const generate = (files: ReadonlyArray<string>): number => {
  const next = random(42)
  const pool = Array.from({ length: 4096 }, () => {
    const words = Array.from(
      { length: 1 + Math.floor(next() * 15) },
      () =>
        Array.from({ length: 1 + Math.floor(next() * 7) }, () => String.fromCharCode(97 + Math.floor(next() * 26)))
          .join("")
    )
    return Buffer.from(`${words.join(" ")}\n`)
  })
  let lines = 0
  for (const file of files) {
    const content = Buffer.alloc(FILE_BYTES)
    let at = 0
    for (;;) {
      const line = pool[Math.floor(next() * pool.length)]!
      if (at + line.length > FILE_BYTES) break
      line.copy(content, at)
      at += line.length
      lines++
    }
    if (at < FILE_BYTES) {
      content.fill("x", at, FILE_BYTES - 1)
      content[FILE_BYTES - 1] = 10
      lines++
    }
    fs.writeFileSync(file, content)
  }
  return lines
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-pipelines-bench-"))
const paths = Array.from({ length: FILES }, (_, i) => path.join(dir, `file-${String(i).padStart(3, "0")}.txt`))

const expectLines = (what: string, lines: number, expected: number) => {
  if (lines !== expected) throw new Error(`${what} counted ${lines} lines, expected ${expected}`)
}

let expectedLines = 0

const processFiles = (concurrency: number) => async () => {
  const lines = await Effect.runPromise(
    Stream.runFold(
      Files.processFiles(paths, Files.lineCount, { concurrency }),
      () => 0,
      (total, outcome) => {
        if (Result.isFailure(outcome)) throw new Error(`processFiles failed: ${outcome.failure.message}`)
        return total + outcome.success.value
      }
    ).pipe(Effect.provide(NodeFileSystem.layer))
  )
  expectLines(`processFiles concurrency ${concurrency}`, lines, expectedLines)
}

const execFileAsync = promisify(execFile)
const wc = async () => {
  const { stdout } = await execFileAsync("wc", ["-l", ...paths], { maxBuffer: 1 << 20 })
  const total = stdout.trim().split("\n").at(-1)!.trim().split(/\s+/)[0]!
  expectLines("wc -l", Number(total), expectedLines)
}

/** Plain Node for context: 64 KiB chunks and `Files.lineCount`'s counting loop, no Effect. */
const countWithNode = (file: string) =>
  new Promise<number>((resolve, reject) => {
    let lines = 0
    fs.createReadStream(file, { highWaterMark: 64 * 1024 })
      .on("data", (chunk) => {
        const bytes = chunk as Buffer
        for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++
      })
      .on("end", () => resolve(lines))
      .on("error", reject)
  })
const nodeStreams = (concurrency: number) => async () => {
  let lines = 0
  await limited(paths, concurrency, async (file) => {
    const counted = await countWithNode(file)
    lines += counted
  })
  expectLines("node:fs read streams", lines, expectedLines)
}

const FILE_CONCURRENCIES = [1, 4, 16]
const filesSuite: Suite.Suite = {
  title: `Line counting over ${FILES} files of 1 MiB`,
  description: `${FILES} files of ${FILE_BYTES.toLocaleString("en")} bytes (${MIB} MiB in all) of random text ` +
    `lines (1–15 words of 1–7 letters), written once to a temporary folder before the suite, so they are read ` +
    `from the page cache: this measures the read path and the counting, not the disk. ` +
    `\`Files.processFiles(paths, Files.lineCount, { concurrency })\` with \`NodeFileSystem.layer\`; \`wc -l\` ` +
    `is one process given all ${FILES} files (spawn included); the \`node:fs\` contender reads each file with ` +
    `\`fs.createReadStream\` in 64 KiB chunks (\`Files.lineCount\`'s chunk size when this was written) and ` +
    `counts newlines with \`Files.lineCount\`'s \`indexOf\` loop, 4 files at a time, without Effect. Every run checks that its total equals the lines ` +
    `written. Per operation: one file.`,
  operations: FILES,
  reference: "wc -l",
  rounds: 3,
  time: 1,
  iterations: 3,
  contenders: [
    ...FILE_CONCURRENCIES.map((c) => ({
      name: `Files.processFiles concurrency ${c}`,
      run: processFiles(c)
    })),
    { name: "wc -l", run: wc },
    { name: "node:fs read streams, concurrency 4", run: nodeStreams(4) }
  ]
}

// ---------------------------------------------------------------------------------------------
// Run, print, record
// ---------------------------------------------------------------------------------------------

const httpFigures = (result: Suite.Result): string =>
  [
    `| contender | requests/s | % of ideal (${thousands(IDEAL)}/s) |`,
    "| --- | ---: | ---: |",
    ...result.rows.map((row) => {
      const rate = REQUESTS / (row.median / 1000)
      return `| ${row.name} | ${thousands(rate)} | ${(rate / IDEAL * 100).toFixed(1)}% |`
    })
  ].join("\n")

const fileFigures = (result: Suite.Result): string =>
  [
    "| contender | MiB/s | time vs `wc -l` |",
    "| --- | ---: | ---: |",
    ...result.rows.map((row) => `| ${row.name} | ${thousands(MIB / (row.median / 1000))} | ${row.ratio.toFixed(2)}× |`)
  ].join("\n")

const results: Array<Suite.Result> = []
const figures: Array<string> = []
const runSuite = async (suite: Suite.Suite, derived: (result: Suite.Result) => string) => {
  process.stdout.write(`\nrunning "${suite.title}" …\n`)
  const result = await Suite.run(suite)
  results.push(result)
  figures.push(derived(result))
  process.stdout.write(`\n${Report.table(result)}\n\n${figures.at(-1)}\n`)
}

try {
  await runSuite(httpSuite, httpFigures)
  const check = await layerCheck()
  figures[0] = `${figures[0]}\n\n${check}`
  process.stdout.write(`\n${check}\n`)
  process.stdout.write(`\nthe server answered ${(await served()).toLocaleString("en")} requests\n`)
  process.stdout.write(`\nwriting ${FILES} files of 1 MiB …\n`)
  expectedLines = generate(paths)
  process.stdout.write(`${expectedLines.toLocaleString("en")} lines written\n`)
  await runSuite(filesSuite, fileFigures)
} finally {
  await undiciClient.dispose()
  await nodeClient.dispose()
  await agent.close()
  await serverThread.terminate()
  fs.rmSync(dir, { recursive: true, force: true })
}

if (!process.argv.includes("--no-record")) {
  const tables = results.map((result, i) => `${Report.table(result)}\n\n${figures[i]}\n`)
  const section = `${Report.section(SOURCE, [])}\n${tables.join("\n")}`
  fs.appendFileSync(path.join(Report.workspaceRoot(), "BENCHMARKS.md"), `\n${section}`)
  process.stdout.write(`\nrecorded in BENCHMARKS.md\n`)
}
