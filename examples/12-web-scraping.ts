/**
 * Web scraping — Fetch.fetchAll, the guide's concurrent_web_scraping on real HTTP.
 *
 * The guide's `concurrent_web_scraping(urls)` maps `fetch_url_data` over the URLs on a
 * `ThreadPoolExecutor(max_workers=5)`, each call returning `{"success": True, ...}` or
 * `{"success": False, "error": str(e)}`, and counts `{"successful": ..., "failed": ...}`. Here the
 * requests are real: the example starts its own HTTP server on 127.0.0.1 (a random port, no
 * internet needed) and scrapes 50 URLs from it with `Fetch.fetchAll`. Each URL gives one outcome:
 * its status, size and attempts, or its own typed failure (`FetchTimeout`, `HttpStatusError`,
 * `ConnectionFailed`, `InvalidUrl`) — one bad URL never stops the others. `Fetch.summarize` is the
 * guide's `{"successful": ..., "failed": ...}`.
 *
 * The server answers most pages in 10–30 ms; three answer 500 once and 200 on the next request
 * (the retry schedule recovers them: 5xx, 429, timeouts and connection failures are retried,
 * 404 is not); three are 404; two take 5 s, far beyond the 300 ms timeout of an attempt. The
 * URLs alternate between two host names, 127.0.0.1 and localhost, for the same server: with
 * `concurrency: 10` and `perHostConcurrency: 4`, at most 4 requests go to a host at once — 8 in all, not
 * 10. A wrapper of the `HttpClient` counts the requests waiting for their answer, per host. Then
 * the same 50 URLs one at a time (`concurrency: 1`), for the speedup. A progress bar
 * (`Progress.track`, `Progress.render` on Effect's `Terminal`, `NodeTerminal.layer`) is redrawn in
 * place on a terminal; when the output is not one (a pipe, a file), its last line is written once,
 * as plain text.
 *
 * `--timeline FILE.svg` draws the requests through each host's limit in FILE.svg (a limiter per
 * host and per run), each one's wait for its turn before its run; `--chart` prints the same chart
 * here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/12-web-scraping.ts
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Fetch, Progress } from "@fiberkit/pipelines"
import { Clock, Console, Effect, Fiber, Layer, Schedule } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { withTimeline } from "./timeline.js"

const URLS = 50
const SLOW = new Set([17, 34]) // 5 s: every attempt times out
const FLAKY = new Set([5, 22, 41]) // 500 on the first request, 200 on the next
const MISSING = new Set([9, 28, 46]) // 404, not worth a retry

const kind = (n: number) => SLOW.has(n) ? "slow" : FLAKY.has(n) ? "flaky" : MISSING.has(n) ? "missing" : "page"

/** A page's answer time: 10–30 ms, the same on every run. */
const delayOf = (n: number) => 10 + (n * 37) % 21

/**
 * An HTTP server on 127.0.0.1, port 0 (the system picks a free one), closed with its scope, open
 * connections and all. `newRun` makes the flaky pages fail once more.
 */
const server = Effect.acquireRelease(
  Effect.callback<{ readonly server: http.Server; readonly port: number; readonly newRun: () => void }>((resume) => {
    const failedOnce = new Set<string>()
    const server = http.createServer((request, response) => {
      const [, page = "", number = ""] = request.url?.split("/") ?? []
      const n = Number(number)
      const answer = (status: number, body: string) => {
        response.writeHead(status, { "content-type": "text/html" })
        response.end(body)
      }
      const timer = setTimeout(() => {
        if (page === "missing") return answer(404, "not found")
        const key = `${request.headers.host}${request.url}`
        if (page === "flaky" && !failedOnce.has(key)) {
          failedOnce.add(key)
          return answer(500, "internal server error")
        }
        answer(200, `<html><body><h1>Page ${n}</h1>${"<p>Lorem ipsum dolor sit amet.</p>".repeat(n)}</body></html>`)
      }, page === "slow" ? 5000 : page === "page" || page === "flaky" ? delayOf(n) : 5)
      // A request its client gave up on (a timeout) ends here, not 5 s later
      response.on("close", () => clearTimeout(timer))
    })
    server.listen(0, "127.0.0.1", () =>
      resume(Effect.succeed({
        server,
        port: (server.address() as AddressInfo).port,
        newRun: () => failedOnce.clear()
      })))
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

/** Requests waiting for their answer, per host: now and the most at once. */
const inFlight = {
  now: new Map<string, number>(),
  peak: new Map<string, number>(),
  peakTotal: 0,
  enter(host: string) {
    const n = (this.now.get(host) ?? 0) + 1
    this.now.set(host, n)
    this.peak.set(host, Math.max(n, this.peak.get(host) ?? 0))
    this.peakTotal = Math.max(this.peakTotal, [...this.now.values()].reduce((a, b) => a + b, 0))
  },
  leave(host: string) {
    this.now.set(host, this.now.get(host)! - 1)
  }
}

/** The Node HTTP client, each request counted from its start until its answer (or its interruption). */
const CountingHttpClient = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(HttpClient.HttpClient, (client) =>
    HttpClient.transform(client, (response, request) => {
      const host = new URL(request.url).hostname
      return Effect.acquireUseRelease(
        Effect.sync(() => inFlight.enter(host)),
        () => response,
        () => Effect.sync(() => inFlight.leave(host))
      )
    }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** `host/path` of a URL, without the random port. */
const short = (url: string) => {
  const { hostname, pathname } = new URL(url)
  return `${hostname}${pathname}`
}

/** Runs `effect` and returns its result with the seconds it took. */
const timed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    const result = yield* effect
    return [result, ((yield* Clock.currentTimeMillis) - start) / 1000] as const
  })

const PER_HOST = 4
const options = {
  perHostConcurrency: PER_HOST,
  timeout: "300 millis",
  retry: Schedule.addDelay(Schedule.recurs(1), () => Effect.succeed("50 millis")) // one retry, 50 ms later
} as const

const program = Effect.gen(function*() {
  const { newRun, port } = yield* server
  const urls = Array.from({ length: URLS }, (_, i) => {
    const n = i + 1
    return `http://${n % 2 === 1 ? "127.0.0.1" : "localhost"}:${port}/${kind(n)}/${n}`
  })
  const pages = urls.filter((url) => url.includes("/page/")).length
  yield* Console.log(
    `A local HTTP server on 127.0.0.1 (a random port), reached as 127.0.0.1 and as localhost: ${urls.length} URLs, ` +
      `${urls.length / 2} per host\n` +
      `  ${pages} pages of 10–30 ms, ${FLAKY.size} that answer 500 once, ${MISSING.size} not found (404), ` +
      `${SLOW.size} slow (5 s, beyond the timeout)`
  )
  yield* Console.log(
    `Fetch.fetchAll(urls, { concurrency: 10, perHostConcurrency: ${PER_HOST}, timeout: "300 millis", retry: one retry after 50 ms })`
  )

  // Concurrently: the outcomes counted as they pass, for the progress bar
  const { progress, stream } = yield* Fetch.fetchAll(urls, { ...options, concurrency: 10 }).pipe(
    Progress.track({ total: urls.length })
  )
  const bar = yield* Effect.forkChild(Progress.render(progress, { label: "URLs" }))
  const [summary, concurrentTime] = yield* timed(Fetch.summarize(stream))
  yield* Fiber.join(bar)

  yield* Console.log(`\n${summary.failed.length} failed, each with its typed reason (the other URLs carried on):`)
  const failures = [...summary.failed].sort((a, b) => urls.indexOf(a.url) - urls.indexOf(b.url))
  for (const error of failures) {
    const reason = error._tag === "HttpStatusError"
      ? `HTTP ${error.status}`
      : error._tag === "FetchTimeout"
      ? `no answer within ${error.millis} ms`
      : error.message
    yield* Console.log(`  ${error._tag.padEnd(15)} ${short(error.url)}: ${reason}`)
  }
  const recovered = summary.successful.filter((result) => result.attempts > 1)
    .sort((a, b) => urls.indexOf(a.url) - urls.indexOf(b.url))
  yield* Console.log(
    `Recovered by the retry (500, then 200): ${
      recovered.map((result) => `${short(result.url)} (${result.attempts} attempts)`).join(", ")
    }`
  )
  const bytes = summary.successful.reduce((total, result) => total + result.bytes, 0)
  yield* Console.log(
    `Summary: {"successful": ${summary.successful.length}, "failed": ${summary.failed.length}} — ` +
      `${bytes.toLocaleString("en-US")} bytes`
  )
  const perHost = [...inFlight.peak].sort().map(([host, n]) => `${host} ${n}`).join(", ")
  yield* Console.log(
    `Most requests waiting for their answer at once: ${inFlight.peakTotal} (per host: ${perHost}; ` +
      `perHostConcurrency ${PER_HOST}, though concurrency 10 would allow 10)`
  )
  yield* Console.log(`Concurrent: ${concurrentTime.toFixed(2)}s`)

  // The same URLs one at a time
  newRun()
  const [sequential, sequentialTime] = yield* timed(
    Fetch.summarize(Fetch.fetchAll(urls, { ...options, concurrency: 1 }))
  )
  const outcomes = (s: Fetch.FetchSummary) =>
    [...s.successful.map((r) => `${r.url} ${r.status}`), ...s.failed.map((e) => `${e.url} ${e._tag}`)].sort().join()
  yield* Console.log(
    `\nSequential (concurrency 1): ${sequentialTime.toFixed(2)}s — the same outcomes: ${
      outcomes(sequential) === outcomes(summary)
    }`
  )
  yield* Console.log(`Speedup: ${(sequentialTime / concurrentTime).toFixed(2)}×`)
}).pipe(Effect.scoped, Effect.provide(CountingHttpClient), Effect.provide(NodeTerminal.layer))

NodeRuntime.runMain(withTimeline(program, { title: "12 · Web scraping: Fetch.fetchAll with perHostConcurrency 4" }))
