/**
 * What observing costs per task, on the executor's reference workload (100,000 tiny tasks at
 * concurrency 16 that do not suspend, as in `packages/executor/bench/pool.bench.ts`):
 *
 * - `FiberPool.submit` + `future.result` with the pool made without a Timeline ("Timeline off",
 *   the reference) and under `Timeline.recording` ("Timeline on"): per task two `recorder.now()`
 *   and one record pushed into the Timeline's ring.
 * - `Monitor.monitored("task")` around every task, on both pools: span, duration timer, outcome
 *   counter and two log lines per task (filtered out, see the suite's description).
 * - `FiberPool.map` off and on: map runs 16 lane jobs, so it records 16 records per run whatever
 *   the input; it shows the difference.
 *
 * The goal: at most 15% more time per task with the Timeline on, at most 2% with it off. The
 * off cost is two `undefined` checks per job (and a `queuedAt` field on each job) in a pool made
 * without a recorder; there is no pool without them to run beside it in this process, so it is
 * compared, after the tables, with the last figure recorded for `FiberPool.submit + result`
 * before the hook went in.
 */
import { Report } from "@fiberkit/bench"
import type { Suite } from "@fiberkit/bench"
import { FiberPool } from "@fiberkit/executor"
import { Monitor, Timeline } from "@fiberkit/observe"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as References from "effect/References"
import * as Scope from "effect/Scope"
import * as fs from "node:fs"
import * as path from "node:path"

const SOURCE = "packages/observe/bench/timeline.bench.ts"
const TASKS = 100_000
const CONCURRENCY = 16
const TARGET_ON = 15
const TARGET_OFF = 2
/**
 * The Timeline hook came into FiberPool with af88f48 (2026-11-25 18:59 UTC): a
 * `packages/executor/bench/pool.bench.ts` section of BENCHMARKS.md dated before this measured a
 * pool without it.
 */
const HOOK_AFTER = "2026-11-25 18:59"

const items = Array.from({ length: TASKS }, (_, i) => i)
const task = (i: number): Effect.Effect<number> => Effect.sync(() => (i * 7) % 13)
const monitoredTask = (i: number): Effect.Effect<number> => Monitor.monitored("task")(task(i))

/** `monitored` logs at Info when a task starts and ends: below Warn, so nothing is printed. */
const quiet = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, References.MinimumLogLevel, "Warn")

const scope = Effect.runSync(Scope.make())
const timeline = Effect.runSync(Timeline.make()) // the default capacity, 10,000
// A pool's workers run with the context of where the pool was made (its recorder, and the
// minimum log level its tasks log at), so both pools are made under `quiet`; only the recorder
// differs between them.
const off = Effect.runSync(Scope.provide(quiet(FiberPool.make({ concurrency: CONCURRENCY })), scope))
const on = Effect.runSync(
  Scope.provide(quiet(Timeline.recording(timeline)(FiberPool.make({ concurrency: CONCURRENCY }))), scope)
)

const submitAll = (pool: FiberPool.FiberPool, f: (i: number) => Effect.Effect<number>) => () =>
  Effect.runPromise(
    quiet(
      Effect.flatMap(
        Effect.forEach(items, (i) => pool.submit(f(i))),
        (futures) => Effect.forEach(futures, (future) => future.result)
      )
    )
  )

const title = (how: string) =>
  `${TASKS.toLocaleString("en")} tiny tasks at concurrency ${CONCURRENCY}, tasks that do not suspend: ${how}`

const submit: Suite.Suite = {
  title: title("FiberPool.submit + result, Timeline and monitored"),
  description:
    `The workload of \`packages/executor/bench/pool.bench.ts\`: each task is \`Effect.sync(() => (i * 7) % 13)\`; ` +
    `a run submits all ${TASKS.toLocaleString("en")} tasks with \`pool.submit\` to a FiberPool of concurrency ` +
    `${CONCURRENCY}, then awaits every \`future.result\`; one operation is one task. ` +
    "*Timeline off* (the reference): the pool was made without a Timeline. " +
    "*Timeline on*: the pool was made under `Timeline.recording(timeline)`, `timeline` from `Timeline.make()` " +
    "(default capacity 10,000): per task two `recorder.now()` and one record pushed into the ring, which is full " +
    "from the first run on, so every push drops the oldest record (the steady state of a long run). " +
    "*monitored, Timeline off / on*: each task wrapped in `Monitor.monitored(\"task\")`, on the same two pools: " +
    "an Effect span per task on Effect's default tracer (no exporter), the duration timer and outcome counter " +
    "updated, and the two Info log lines filtered out by `Effect.provideService(References.MinimumLogLevel, \"Warn\")` (both " +
    "pools are made under it, as a pool's workers log at the level in force where the pool was made; nothing is " +
    "printed); with the Timeline on each task leaves two records, the pool's and `monitored`'s. " +
    "The cost with the Timeline off (two `undefined` checks per job) cannot be measured here: every pool has the " +
    "hook, so it is compared in the printed notes with the last figure recorded before the hook, from another " +
    "process.",
  operations: TASKS,
  reference: "Timeline off",
  // a monitored run takes 6 to 10 s: one run per round for those, two or three for the others
  rounds: 3,
  iterations: 1,
  time: 3500,
  contenders: [
    { name: "Timeline off", run: submitAll(off, task) },
    { name: "Timeline on", run: submitAll(on, task) },
    { name: "monitored, Timeline off", run: submitAll(off, monitoredTask) },
    { name: "monitored, Timeline on", run: submitAll(on, monitoredTask) }
  ]
}

const map: Suite.Suite = {
  title: title("FiberPool.map, Timeline off and on"),
  description: "The same tasks through `pool.map(items, task)` on the two pools above (no `monitored`); one " +
    `operation is one task. \`map\` submits ${CONCURRENCY} lane jobs, each pulling items until none is left, so ` +
    `the pool records ${CONCURRENCY} records per run, not one per task: the recording cost is spread over ` +
    `${TASKS.toLocaleString("en")} tasks.`,
  operations: TASKS,
  reference: "map, Timeline off",
  rounds: 4,
  iterations: 10,
  time: 500,
  contenders: [
    { name: "map, Timeline off", run: () => Effect.runPromise(quiet(off.map(items, task))) },
    { name: "map, Timeline on", run: () => Effect.runPromise(quiet(on.map(items, task))) }
  ]
}

const results = await Report.main(SOURCE, [submit, map])

const percent = (ratio: number): string => `${ratio >= 1 ? "+" : ""}${((ratio - 1) * 100).toFixed(1)}%`

process.stdout.write("\noverhead per task against each suite's reference:\n")
for (const result of results) {
  const reference = result.rows.find((row) => row.name === result.reference)!
  for (const row of result.rows) {
    if (row.name === result.reference) continue
    const target = row.name === "Timeline on" ?
      ` (target ≤ ${TARGET_ON}%: ${(row.ratio - 1) * 100 <= TARGET_ON ? "met" : "not met"})` :
      ""
    process.stdout.write(
      `  ${row.name}: ${percent(row.ratio)} vs ${result.reference}, ${
        (row.perOperation - reference.perOperation).toFixed(3)
      } µs more per task${target}\n`
    )
  }
}

// Timeline off against the last `FiberPool.submit + result` recorded before the hook.
const offRow = results[0]!.rows.find((row) => row.name === "Timeline off")!
const before = (() => {
  const text = fs.readFileSync(path.join(Report.workspaceRoot(), "BENCHMARKS.md"), "utf8")
  const sections = text.split(/^(?=## )/m).flatMap((section) => {
    const heading = /^## packages\/executor\/bench\/pool\.bench\.ts — (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/.exec(section)
    const row = /tasks that do not suspend[\s\S]*?^\| FiberPool\.submit \+ result \| ([\d.]+) \|/m.exec(section)
    return heading !== null && row !== null && heading[1]! < HOOK_AFTER
      ? [{ date: heading[1]!, median: Number(row[1]) }]
      : []
  })
  return sections.at(-1)
})()
process.stdout.write(
  before === undefined
    ? "\nTimeline off against a pool without the hook: no pool.bench.ts section from before the hook in BENCHMARKS.md\n"
    : `\nTimeline off against a pool without the hook: ${offRow.median.toFixed(0)} ms here, ${before.median} ms for ` +
      `"FiberPool.submit + result" in the pool.bench.ts section of ${before.date} UTC: ` +
      `${percent(offRow.median / before.median)} (target ≤ ${TARGET_OFF}%). Two processes at different times, and ` +
      "FiberPool changed in other ways since that run; the same workload varies by 10% and more from one process " +
      "to the next on a shared machine, so this can show a gross regression but can neither confirm nor refute " +
      `${TARGET_OFF}%.\n`
)

const records = Effect.runSync(timeline.records)
const bySource = new Map<string, number>()
for (const record of records) bySource.set(record.source, (bySource.get(record.source) ?? 0) + 1)
process.stdout.write(
  `the Timeline kept ${records.length.toLocaleString("en")} records (${
    [...bySource].map(([source, n]) => `${source} ${n.toLocaleString("en")}`).join(", ")
  }) and dropped ${Effect.runSync(timeline.dropped).toLocaleString("en")}\n`
)

await Effect.runPromise(Scope.close(scope, Exit.void))
