/**
 * The consumer program of scripts/consumer-test.mjs: an app outside the workspace that installed
 * the packed @fiberkit packages with npm, compiled with its own tsc (NodeNext, skipLibCheck
 * false) and run with plain node. It uses every package through its public entry points — the
 * package index or `@fiberkit/x/Module` — and prints one line per check: `ok <check>: …` or
 * `FAIL <check>: …`. Any failure makes it exit non-zero; the last line when all pass is
 * `consumer: all N checks passed`.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Dashboard, type Snapshot } from "@fiberkit/dashboard"
import { Executor, FiberPool, WorkerPool } from "@fiberkit/executor"
import type { Future } from "@fiberkit/executor"
import { Chart, Timeline } from "@fiberkit/observe"
import { Fetch } from "@fiberkit/pipelines"
import { JoinableQueue } from "@fiberkit/queue"
import * as RateLimiter from "@fiberkit/ratelimit/RateLimiter"
import * as Lock from "@fiberkit/sync/Lock"
import { TaskManager } from "@fiberkit/tasks"
import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
import { ConcurrencyProbe } from "@fiberkit/testkit"
import { Cause, Clock, Console, Data, Effect, Fiber, FileSystem, Ref, Schema, Stream } from "effect"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { fib, NotNatural } from "./workers/fib.js"

/** A check that did not see what it expected. */
class Mismatch extends Data.TaggedError("Mismatch")<{ readonly message: string }> {}

/** Fails `Mismatch` unless `actual` equals `expected` (compared as JSON). */
const expectEqual = (what: string, actual: unknown, expected: unknown) => {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)]
  return a === e ? Effect.void : Effect.fail(new Mismatch({ message: `${what}: expected ${e}, got ${a}` }))
}

/** Runs one check: prints `ok name: detail`, or `FAIL name: cause`; succeeds with whether it passed. */
const check = <E, R>(name: string, effect: Effect.Effect<string, E, R>) =>
  effect.pipe(
    Effect.timeoutOrElse({
      duration: "60 seconds",
      orElse: () => Effect.fail(new Mismatch({ message: "timed out after 60 s" }))
    }),
    Effect.matchCauseEffect({
      onSuccess: (detail) => Effect.as(Console.log(`ok   ${name}: ${detail}`), true),
      onFailure: (cause) => Effect.as(Console.log(`FAIL ${name}: ${Cause.pretty(cause)}`), false)
    })
  )

/** A temporary folder for the SQLite file and the SVG, removed with its scope. */
const tempDir = Effect.gen(function*() {
  const fs = yield* FileSystem.FileSystem
  return yield* fs.makeTempDirectoryScoped({ prefix: "fiberkit-consumer-run-" })
})

// ---------------------------------------------------------------------------------------------
// @fiberkit/sync: a Lock keeps 50 read-yield-write increments from losing any
// ---------------------------------------------------------------------------------------------

const syncLock = Effect.gen(function*() {
  const lock = yield* Lock.make({ name: "counter" })
  const counter = yield* Ref.make(0)
  const increment = lock.withLock(Effect.gen(function*() {
    const n = yield* Ref.get(counter)
    yield* Effect.yieldNow
    yield* Ref.set(counter, n + 1)
  }))
  yield* Effect.all(Array.from({ length: 50 }, () => increment), { concurrency: "unbounded" })
  yield* expectEqual("counter", yield* Ref.get(counter), 50)
  yield* expectEqual("locked after", yield* lock.isLocked, false)
  return "50 concurrent increments under Lock.withLock, none lost"
})

// ---------------------------------------------------------------------------------------------
// @fiberkit/queue: a bounded JoinableQueue, a producer ahead of a consumer, join and shutdown
// ---------------------------------------------------------------------------------------------

const joinableQueue = Effect.gen(function*() {
  const queue = yield* JoinableQueue.make<number>({ capacity: 5 })
  const sum = yield* Ref.make(0)
  const consumer = yield* Effect.forkChild(
    Effect.forever(Effect.gen(function*() {
      const item = yield* queue.take
      yield* Ref.update(sum, (total) => total + item)
      yield* Effect.sleep("1 millis")
      yield* queue.taskDone
    })).pipe(Effect.catchTag("QueueShutDown", () => Effect.void))
  )
  const sizes = yield* Effect.forEach(
    Array.from({ length: 40 }, (_, i) => i + 1),
    (i) => Effect.andThen(queue.put(i), queue.size)
  )
  const peak = Math.max(...sizes)
  yield* queue.join
  yield* queue.shutdown()
  yield* Fiber.join(consumer)
  yield* expectEqual("sum of the items taken", yield* Ref.get(sum), 820)
  if (peak > 5) return yield* new Mismatch({ message: `peak size ${peak} above the capacity 5` })
  return `40 items through capacity 5 (peak size ${peak}), join then shutdown`
})

// ---------------------------------------------------------------------------------------------
// @fiberkit/ratelimit: 6 starts, at most 2 per 200 ms: the last one 400 ms or more after the first
// ---------------------------------------------------------------------------------------------

const rateLimiter = Effect.gen(function*() {
  const limit = yield* RateLimiter.make({ limit: 2, interval: "200 millis", name: "consumer" })
  const starts: Array<number> = []
  const begin = yield* Clock.currentTimeMillis
  yield* Effect.forEach(
    Array.from({ length: 6 }, (_, i) => i),
    () => limit(Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => starts.push(now - begin)))),
    { concurrency: "unbounded" }
  )
  const last = Math.max(...starts)
  if (starts.length !== 6 || last < 390) {
    return yield* new Mismatch({ message: `starts at ${starts.join(", ")} ms: the limit did not hold` })
  }
  return `6 starts at ${starts.map((ms) => `${ms}`).join(", ")} ms (limit 2 per 200 ms)`
})

// ---------------------------------------------------------------------------------------------
// @fiberkit/executor + @fiberkit/testkit: a FiberPool, Executor.asCompleted, a ConcurrencyProbe
// ---------------------------------------------------------------------------------------------

const fiberPool = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make({ concurrency: 3, name: "consumer fibers" })
  const probe = yield* ConcurrencyProbe.make
  const delays = [300, 100, 200, 50]
  const futures: Array<Future.Future<string>> = []
  for (const millis of delays) {
    futures.push(yield* pool.submit(probe.track(Effect.as(Effect.sleep(millis), `${millis}ms`), `${millis}ms`)))
  }
  // 3 concurrency: 300, 100 and 200 start at once, 50 once 100 ends (at 100 ms, ends at 150 ms)
  const completed = yield* Executor.asCompleted(futures).pipe(
    Stream.mapEffect((future) => future.result),
    Stream.runCollect
  )
  yield* expectEqual("completion order", completed, ["100ms", "50ms", "200ms", "300ms"])
  yield* expectEqual("peak in flight", yield* probe.peak, 3)
  return `asCompleted order ${completed.join(", ")}; ConcurrencyProbe peak ${yield* probe.peak} of 3 workers`
}))

// ---------------------------------------------------------------------------------------------
// @fiberkit/executor: a WorkerPool on worker threads loading the compiled dist/workers/fib.js
// ---------------------------------------------------------------------------------------------

const workerPool = Effect.scoped(Effect.gen(function*() {
  const pool = yield* WorkerPool.make({ module: new URL("./workers/fib.js", import.meta.url), concurrency: 2 })
  const jobs = [20, 21, 22, 23, 24]
  const onWorkers = yield* pool.map(jobs, (n) => fib(n))
  const inline = yield* Effect.forEach(jobs, (n) => fib(n))
  yield* expectEqual("results on the workers", onWorkers, inline)
  const future = yield* pool.submit(fib(-1))
  const failure = yield* Effect.flip(future) // a Future is an Effect: yielding it waits for its result
  if (!(failure instanceof NotNatural)) {
    return yield* new Mismatch({ message: `fib(-1) on a worker failed ${String(failure)}, not NotNatural` })
  }
  return `fib(${jobs.join(", ")}) on ${pool.concurrency} worker threads = ${onWorkers.join(", ")}; ` +
    `fib(-1) fails ${failure._tag} (n = ${failure.n}) across the thread`
}))

// ---------------------------------------------------------------------------------------------
// @fiberkit/tasks: a TaskManager on the SQLite store (better-sqlite3 built by npm for this Node)
// ---------------------------------------------------------------------------------------------

const double = TaskManager.define("double", {
  args: Schema.Struct({ n: Schema.Number }),
  success: Schema.Number,
  run: ({ n }) => Effect.as(Effect.sleep("5 millis"), n * 2)
})

const taskManager = (dir: string) =>
  Effect.scoped(Effect.gen(function*() {
    const manager = yield* TaskManager.make({ tasks: [double], concurrency: 2 })
    const results = yield* manager.subscribe
    const collector = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 5)))
    const ids = yield* Effect.forEach([1, 2, 3, 4, 5], (n) => manager.add(double, { n }))
    yield* manager.join
    const outcomes = yield* Fiber.join(collector)
    // typed by the definition: a succeeded outcome of `double` carries a number
    const values = ids.map((id) => {
      const outcome = outcomes.find((outcome) => outcome.id === id)
      return outcome?.state === "succeeded" ? outcome.value : undefined
    })
    yield* expectEqual("values", values, [2, 4, 6, 8, 10])
    const states = yield* Effect.forEach(ids, (id) => Effect.map(manager.status(id), (record) => record.state))
    yield* expectEqual("states", states, Array.from(ids, () => "succeeded"))
    yield* manager.shutdown({ drain: true })
    return `5 tasks added, joined and succeeded on SqliteStore (${path.basename(dir)}/tasks.db): ${values.join(", ")}`
  })).pipe(Effect.provide(SqliteStore.layer({ filename: path.join(dir, "tasks.db") })))

// ---------------------------------------------------------------------------------------------
// @fiberkit/pipelines: Fetch.fetchAll against a node:http server on 127.0.0.1, port 0
// ---------------------------------------------------------------------------------------------

const server = Effect.acquireRelease(
  Effect.callback<{ readonly server: http.Server; readonly port: number }>((resume) => {
    const server = http.createServer((request, response) => {
      const missing = request.url?.startsWith("/missing") === true
      response.writeHead(missing ? 404 : 200, { "content-type": "text/plain" })
      response.end(missing ? "not found" : `page ${request.url}`)
    })
    server.listen(
      0,
      "127.0.0.1",
      () => resume(Effect.succeed({ server, port: (server.address() as AddressInfo).port }))
    )
  }),
  ({ server }) =>
    Effect.callback<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

const fetchAll = Effect.scoped(Effect.gen(function*() {
  const { port } = yield* server
  const urls = ["/page/1", "/page/2", "/page/3", "/missing/4"].map((p) => `http://127.0.0.1:${port}${p}`)
  const summary = yield* Fetch.summarize(Fetch.fetchAll(urls, { concurrency: 2, timeout: "5 seconds" }))
  yield* expectEqual("successful", summary.successful.map((r) => r.status), [200, 200, 200])
  yield* expectEqual("failed", summary.failed.map((e) => e._tag === "HttpStatusError" ? e.status : e._tag), [404])
  return `${urls.length} URLs from 127.0.0.1:${port}: ${summary.successful.length} successful, ` +
    `${summary.failed.length} failed (HttpStatusError 404)`
})).pipe(Effect.provide(NodeHttpClient.layerUndici))

// ---------------------------------------------------------------------------------------------
// @fiberkit/observe: the Timeline of everything above, drawn with Chart.svg into a file
// ---------------------------------------------------------------------------------------------

const timelineSvg = (dir: string) =>
  Effect.gen(function*() {
    const timeline = yield* Timeline.Timeline
    const records = yield* timeline.records
    if (records.length === 0) return yield* new Mismatch({ message: "the Timeline recorded no task" })
    const fs = yield* FileSystem.FileSystem
    const file = path.join(dir, "timeline.svg")
    yield* fs.writeFileString(file, Chart.svg(records, { title: "fiberkit consumer test" }))
    const svg = yield* fs.readFileString(file)
    // Chart.svg writes a standalone document: the XML declaration, then the <svg> element
    const element = svg.replace(/^<\?xml[^>]*\?>\s*/, "")
    if (!element.startsWith("<svg") || !svg.trimEnd().endsWith("</svg>")) {
      return yield* new Mismatch({ message: `${file} is no SVG document: ${JSON.stringify(svg.slice(0, 60))}…` })
    }
    const sources = new Set(records.map((record) => record.source))
    return `${records.length} tasks recorded (${[...sources].join(", ")}), ${svg.length} bytes of SVG written`
  })

// ---------------------------------------------------------------------------------------------
// @fiberkit/dashboard: a pool made under the dashboard's layer, read back from its page's JSON
// ---------------------------------------------------------------------------------------------

const dashboard = Effect.scoped(Effect.gen(function*() {
  const { url } = yield* Dashboard.Dashboard
  const pool = yield* FiberPool.make({ concurrency: 2, name: "consumer-pool" })
  yield* pool.map([1, 2, 3, 4], (n) => Effect.succeed(n))
  const response = yield* Effect.promise(() => fetch(`${url}api/snapshot`))
  const snapshot = (yield* Effect.promise(() => response.json())) as Snapshot.Snapshot
  const row = snapshot.instances.find((instance) => instance.group === "consumer-pool")
  if (row === undefined) {
    return yield* new Mismatch({ message: `the pool is not on the page: ${JSON.stringify(snapshot)}` })
  }
  const page = yield* Effect.promise(() => fetch(url).then((r) => r.text()))
  if (!page.includes("/dashboard.js")) return yield* new Mismatch({ message: "the page has no script" })
  return `${url}: FiberPool consumer-pool with ${row.outcomes.succeeded} tasks succeeded, ${snapshot.records.length} on the Timeline`
})).pipe(Effect.provide(Dashboard.layer({ port: 0 })))

const program = Effect.scoped(Effect.gen(function*() {
  const dir = yield* tempDir
  const passed = [
    yield* check("@fiberkit/sync Lock", syncLock),
    yield* check("@fiberkit/queue JoinableQueue", joinableQueue),
    yield* check("@fiberkit/ratelimit RateLimiter", rateLimiter),
    yield* check("@fiberkit/executor FiberPool + asCompleted, @fiberkit/testkit ConcurrencyProbe", fiberPool),
    yield* check("@fiberkit/executor WorkerPool", workerPool),
    yield* check("@fiberkit/tasks TaskManager + SqliteStore", taskManager(dir)),
    yield* check("@fiberkit/pipelines Fetch.fetchAll", fetchAll),
    yield* check("@fiberkit/observe Timeline + Chart.svg", timelineSvg(dir)),
    yield* check("@fiberkit/dashboard Dashboard", dashboard)
  ]
  const failed = passed.filter((ok) => !ok).length
  if (failed > 0) return yield* new Mismatch({ message: `${failed} of ${passed.length} checks failed` })
  yield* Console.log(`consumer: all ${passed.length} checks passed`)
})).pipe(Effect.provide([Timeline.layer(), NodeServices.layer]))

NodeRuntime.runMain(program)
