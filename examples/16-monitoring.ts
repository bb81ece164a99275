/**
 * Monitor thread performance — Monitor.monitored, Timeline and Chart.
 *
 * The guide's `monitored_task(task_name)` reads its thread's name (`current_thread().name`),
 * prints `[thread] Starting task`, works for 1 s and prints `[thread] task completed in 1.00s`.
 * `Monitor.monitored(name)` does that for any effect: a log line when it starts and one when it
 * ends — `completed in`, `failed after` with the error, or `interrupted after` — and besides the
 * lines, a span, the duration in the metric `fiberkit_task_duration` and the outcome counted in
 * `fiberkit_task_total`. Effect fibers have no names: `Monitor.withFiberName` gives the region a
 * task runs in one. Here 6 downloads of 0.5 s (half the guide's 1 s, so that the tour stays
 * short) run on a `FiberPool` of 3 workers, each download named after the worker it occupies
 * (`worker-1` …, as Python names a pool's threads), and download-5 fails. The metrics are then
 * read back with `Metric.value`.
 *
 * Each download has its own name, `download-<n>`, for its log lines, its span and its Timeline
 * record, but all are counted under one metric tag, `metricTag: "download"`: Effect keeps every
 * metric key it is asked for in a global registry, for good, so a tag must come from a small fixed
 * set — a name per download, or per URL, would add keys with every new one.
 *
 * Timing lines alone do not show which tasks overlapped: the `Timeline`, always on in this
 * example, records every task of the pool and every monitored run, and `Chart.terminal` draws
 * them: downloads 1 to 3 at once, then 4 to 6, each as soon as a worker is free (their wait is
 * in the chart's summary line). The log lines go through Effect's logger, replaced here by one
 * that prints the message alone, as the guide's `print` does.
 *
 * `--timeline FILE.svg` also writes the chart to FILE.svg; `--chart` prints it a second time, in
 * colour on a terminal (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/16-monitoring.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberkit/executor"
import { Chart, Monitor, Timeline } from "@fiberkit/observe"
import { Clock, Console, Data, Effect, Logger, Metric, Result } from "effect"
import { withTimeline } from "./timeline.js"

const DOWNLOADS = 6
const WORKERS = 3
const FAILING = 5

class DownloadFailed extends Data.TaggedError("DownloadFailed")<{ readonly url: string }> {
  override get message() {
    return `${this.url}: connection reset`
  }
}

/**
 * The guide's `monitored_task`: 0.5 s of work, here a download, logged and traced as `download-<n>` (its URL
 * a span attribute), timed and counted under the metric tag `download`.
 */
const download = (n: number) =>
  Effect.sleep("500 millis").pipe(
    Effect.andThen(
      n === FAILING
        ? Effect.fail(new DownloadFailed({ url: `site${n}.com` }))
        : Effect.succeed(`Content from site${n}.com`)
    ),
    Monitor.monitored(`download-${n}`, { metricTag: "download", attributes: { url: `site${n}.com` } })
  )

/**
 * Names each task, while it runs, after the lowest of `worker-1` … `worker-<n>` that no other
 * running task has: a pool of `n` workers runs at most `n` tasks at once, so one is always free.
 */
const workerNames = (n: number) => {
  const busy = new Array<boolean>(n).fill(false)
  return <A, E, R>(task: Effect.Effect<A, E, R>) =>
    Effect.acquireUseRelease(
      Effect.sync(() => {
        const worker = busy.indexOf(false)
        busy[worker] = true
        return worker
      }),
      (worker) => Monitor.withFiberName(task, `worker-${worker + 1}`),
      (worker) =>
        Effect.sync(() => {
          busy[worker] = false
        })
    )
}

/** Effect's default logger replaced by one that prints the message alone (`runMain` below adds no pretty logger). */
const printMessages = Logger.layer([
  Logger.make(({ message }) => globalThis.console.log(Array.isArray(message) ? message.join(" ") : String(message)))
])

const seconds = (millis: number) => `${(millis / 1000).toFixed(2)}s`

const program = Effect.gen(function*() {
  const ids = Array.from({ length: DOWNLOADS }, (_, i) => i + 1)
  yield* Console.log(
    `${DOWNLOADS} downloads of 0.5 s on a FiberPool of ${WORKERS} workers, each Monitor.monitored ` +
      `(download-${FAILING} fails):`
  )
  const start = yield* Clock.currentTimeMillis
  const results = yield* Effect.scoped(Effect.gen(function*() {
    const pool = yield* FiberPool.make({ concurrency: WORKERS, name: "downloads" })
    const named = workerNames(WORKERS)
    const futures = yield* Effect.forEach(ids, (n) => pool.submit(named(download(n))))
    return yield* Effect.forEach(futures, (future) => Effect.result(future.result))
  }))
  const elapsed = (yield* Clock.currentTimeMillis) - start
  const succeeded = results.filter(Result.isSuccess).length
  yield* Console.log(`${succeeded} of ${DOWNLOADS} downloaded in ${seconds(elapsed)}`)

  // Read back from the metrics the monitored runs updated: one series for all downloads, their metric tag
  yield* Console.log("\nMetrics: fiberkit_task_total by outcome, fiberkit_task_duration, for task=download")
  const success = yield* Metric.value(Monitor.outcomesOf("download", "success"))
  const failure = yield* Metric.value(Monitor.outcomesOf("download", "failure"))
  const interrupted = yield* Metric.value(Monitor.outcomesOf("download", "interrupted"))
  const duration = yield* Metric.value(Monitor.durationOf("download"))
  yield* Console.log(
    `  download: ${duration.count} runs, ${seconds(duration.sum)} — success ${success.count}, ` +
      `failure ${failure.count}, interrupted ${interrupted.count}`
  )
  yield* Console.log(
    `  ${seconds(duration.sum)} of downloading in ${seconds(elapsed)} of time: ` +
      `${(duration.sum / elapsed).toFixed(1)} at once on average`
  )

  // The Timeline: which downloads overlapped, which worker ran them
  const records = yield* Effect.flatMap(Timeline.Timeline, (timeline) => timeline.records)
  // a chart orders its groups by their first record, and records come in the order the tasks ended
  const pool = records.filter((record) => record.source === "FiberPool")
  const downloads = records.filter((record) => record.source === "monitored")
    .sort((a, b) => a.label.localeCompare(b.label, "en", { numeric: true }))
  yield* Console.log("\nThe Timeline, drawn by Chart.terminal: a row per worker of the pool, then one per download")
  yield* Console.log(Chart.terminal([...pool, ...downloads], { color: false }))
}).pipe(Effect.provide(printMessages))

NodeRuntime.runMain(
  withTimeline(program, { title: "16 · Monitor thread performance: 6 monitored downloads on 3 workers" }).pipe(
    // always on here; `--timeline` and `--chart` provide their own, which then takes its place
    Effect.provide(Timeline.layer())
  )
)
