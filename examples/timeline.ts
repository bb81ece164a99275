/**
 * `--timeline FILE.svg` and `--chart` for the examples: `withTimeline(program, { title })` runs an
 * example's program with a `Timeline` recording every task of the pools, limiters and task
 * managers it makes, and draws them when the program ends — however it ends — as an SVG Gantt
 * chart written to FILE.svg (`Chart.svg`) and/or a text chart printed on the console
 * (`Chart.terminal`, in colour on a terminal). Without either flag the program runs as it is.
 *
 * Not an example itself: no number, so not in the tour.
 */
import { Chart, Timeline } from "@fiberkit/observe"
import { Console, Data, Effect, Layer, Result } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"

/**
 * `--timeline` without a file to write, or with one that is no `.svg` file in an existing folder.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidTimelineArgument extends Data.TaggedError("InvalidTimelineArgument")<{
  readonly reason: string
}> {
  override get message() {
    return `${this.reason} — usage: --timeline FILE.svg (or --timeline=FILE.svg), and/or --chart`
  }
}

/** What the command line asks for: the SVG file to write, and whether to print the text chart. */
interface TimelineArguments {
  readonly file: string | undefined
  readonly chart: boolean
}

/**
 * Reads `--timeline FILE.svg`, `--timeline=FILE.svg` and `--chart` from `args`; other arguments
 * are left alone, and the last `--timeline` counts.
 */
const parseArguments = (args: ReadonlyArray<string>): Result.Result<TimelineArguments, InvalidTimelineArgument> => {
  let file: string | undefined
  let chart = false
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--chart") {
      chart = true
    } else if (arg === "--timeline" || arg.startsWith("--timeline=")) {
      const value = arg === "--timeline" ? args[++i] : arg.slice("--timeline=".length)
      if (value === undefined || value === "" || value.startsWith("-")) {
        return Result.fail(
          new InvalidTimelineArgument({ reason: "--timeline needs the name of the SVG file to write" })
        )
      }
      file = value
    }
  }
  if (file !== undefined) {
    if (!file.toLowerCase().endsWith(".svg")) {
      return Result.fail(new InvalidTimelineArgument({ reason: `--timeline ${file}: the file name must end in .svg` }))
    }
    // checked before the program runs, not when it ends and the chart is written
    const folder = path.dirname(path.resolve(file))
    if (fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory() !== true) {
      return Result.fail(new InvalidTimelineArgument({ reason: `--timeline ${file}: there is no folder ${folder}` }))
    }
  }
  return Result.succeed({ file, chart })
}

/** True when `args` asks for a timeline at all, well formed or not. */
const wantsTimeline = (args: ReadonlyArray<string>): boolean =>
  args.some((arg) => arg === "--chart" || arg === "--timeline" || arg.startsWith("--timeline="))

/** Prints and writes the charts of what `timeline` recorded. */
const draw = (timeline: Timeline.TimelineService, { chart, file }: TimelineArguments, title: string) =>
  Effect.gen(function*() {
    const records = yield* timeline.records
    const dropped = yield* timeline.dropped
    if (chart) yield* Console.log(`\n${Chart.terminal(records, { color: process.stdout.isTTY === true })}`)
    if (file !== undefined) {
      const svg = Chart.svg(records, { title })
      yield* Effect.try({
        try: () => fs.writeFileSync(file, svg),
        catch: (error) => new Error(`could not write the timeline to ${file}: ${String(error)}`)
      })
      const older = dropped === 0 ? "" : ` (${dropped} older ones dropped)`
      const tasks = `${records.length} task${records.length === 1 ? "" : "s"}`
      yield* Console.log(`${chart ? "" : "\n"}Timeline: ${tasks} recorded${older} → ${file}`)
    }
  })

/**
 * Runs an example's `program` under `--timeline FILE.svg` and `--chart`: with either flag in
 * `process.argv`, the program runs with `Timeline.layer()` provided — so the pools, limiters and
 * task managers it makes record their tasks — and when it ends, successfully or not, the records
 * are drawn: `Chart.svg(records, { title })` written to FILE.svg, then
 * `Timeline: N tasks recorded → FILE.svg` printed, and with `--chart` the text chart printed
 * before it. Without either flag it returns `program` itself: nothing is recorded, nothing
 * printed. A `--timeline` without a `.svg` file name, or naming a file in a folder that does not
 * exist, fails with `InvalidTimelineArgument` before the program starts.
 *
 * **Example**
 *
 * ```ts
 * import { NodeRuntime } from "@effect/platform-node"
 * import { FiberPool } from "@fiberkit/executor"
 * import { Effect } from "effect"
 * import { withTimeline } from "./timeline.js"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const pool = yield* FiberPool.make({ concurrency: 2 })
 *   yield* pool.map([100, 200, 300], (millis) => Effect.sleep(millis))
 * }))
 *
 * // pnpm tsx this-file.ts --timeline pool.svg --chart
 * NodeRuntime.runMain(withTimeline(program, { title: "Three sleeps on two workers" }))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTimeline = <A, E, R>(
  program: Effect.Effect<A, E, R>,
  options: {
    /** The title of the SVG chart. */
    readonly title: string
    /** The command-line arguments to read. Default: `process.argv.slice(2)`. */
    readonly args?: ReadonlyArray<string> | undefined
  }
): Effect.Effect<A, E | InvalidTimelineArgument, R> => {
  const args = options.args ?? process.argv.slice(2)
  if (!wantsTimeline(args)) return program
  return Result.match(parseArguments(args), {
    onFailure: (error) => Effect.fail(error),
    onSuccess: (wanted) =>
      Effect.flatMap(Timeline.Timeline, (timeline) =>
        // drawn once the program ended, even when it failed or was interrupted (Ctrl-C)
        Effect.onExit(program, () => Effect.orDie(draw(timeline, wanted, options.title)))).pipe(
          Effect.provide(Layer.orDie(Timeline.layer()))
        )
  })
}
