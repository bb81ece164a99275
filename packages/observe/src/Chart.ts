/**
 * Timeline records drawn as a Gantt chart: `svg` writes a standalone SVG document to open in a
 * browser, `terminal` a text chart to print on the console. Both are pure functions of the
 * records and lay them out the same way:
 *
 * - one row per lane, rows grouped by (source, group) in order of first appearance, the lanes of
 *   a group in natural order (`worker 2` before `worker 10`), each row titled
 *   `<source> <group> · <lane>`, e.g. `FiberPool 1 · worker 0`;
 * - records without a lane are packed into the fewest rows of their group (`#1`, `#2` …): by
 *   `queuedAt`, each goes into the lowest-numbered row whose tasks have all ended by its
 *   `queuedAt`, so a wait never overlaps a bar in its row (in a worker's row a task may have waited
 *   while the worker ran another one: there the bar is drawn over the wait);
 * - time 0 is the earliest `queuedAt`; a task is a bar from `startedAt` to `endedAt` coloured by
 *   its outcome, its wait (`queuedAt` to `startedAt`) a hatched or dotted stretch before it.
 *
 * Records with a non-finite time are left out.
 *
 * @since 0.1.0
 */
import type * as Recorder from "@fiberkit/sync/Recorder"
import * as svgInternal from "./internal/svg.js"
import * as terminalInternal from "./internal/terminal.js"

/**
 * **Example**
 *
 * ```ts
 * import { Chart, type Timeline } from "@fiberkit/observe"
 *
 * declare const records: ReadonlyArray<Timeline.TaskRecord>
 * const options: Chart.SvgOptions = { title: "Crawl, 4 workers", width: 1200 }
 * const svg = Chart.svg(records, options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SvgOptions {
  /** The line at the top of the chart, and the document's `<title>`. Default: `"Timeline"`. */
  readonly title?: string | undefined
  /** The width of the document in pixels, at least 320 (smaller values are raised). Default: 960. */
  readonly width?: number | undefined
}

/**
 * **Example**
 *
 * ```ts
 * import { Chart, type Timeline } from "@fiberkit/observe"
 *
 * declare const records: ReadonlyArray<Timeline.TaskRecord>
 * // colour only on a terminal, and a track as wide as it allows
 * const options: Chart.TerminalOptions = { color: process.stdout.isTTY, width: (process.stdout.columns ?? 100) - 40 }
 * console.log(Chart.terminal(records, options))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface TerminalOptions {
  /** The cells of each lane's track, at least 20 (smaller values are raised). Default: 60. */
  readonly width?: number | undefined
  /** Colour the tracks and the legend with ANSI escape codes. Default: false. */
  readonly color?: boolean | undefined
}

/**
 * An SVG Gantt chart of the records: a standalone, well-formed XML document with a title, a
 * summary (tasks, lanes, span, total wait), a legend, one row per lane labelled on the left, a bar
 * per task (green success, red failure, amber interrupted; its tooltip gives label, outcome, wait
 * and run time), its wait hatched grey before it, and a time axis of 5 to 10 ticks at 1, 2 or 5 ×
 * 10^k in µs, ms or s. Bars are `rect.task.<outcome>`, waits `rect.wait`, rows `g.lane`. With no
 * records, a document that says "no tasks recorded".
 *
 * **Example**
 *
 * ```ts
 * import { Chart, type Timeline } from "@fiberkit/observe"
 *
 * const task = (lane: string, label: string, queuedAt: number, startedAt: number, endedAt: number) =>
 *   ({ source: "FiberPool", group: "1", lane, label, queuedAt, startedAt, endedAt, outcome: "success" } as const)
 *
 * const records: ReadonlyArray<Timeline.TaskRecord> = [
 *   task("worker 0", "a", 0, 0, 40),
 *   task("worker 1", "b", 0, 0, 25),
 *   task("worker 1", "c", 0, 25, 70)
 * ]
 * const svg: string = Chart.svg(records, { title: "Crawl", width: 800 })
 * // writeFileSync("timeline.svg", svg), then open it in a browser
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const svg: (records: ReadonlyArray<Recorder.TaskRecord>, options?: SvgOptions) => string = svgInternal.svg

/**
 * A text Gantt chart of the records for the console, in the same rows as `svg`: a summary line, a
 * header with the start and end times, one line per lane — its title, then a track of `width`
 * cells between `│`s — and a legend. Running time is `█` (success), `x` (failure) or `▒`
 * (interrupted), waiting `·`, idle a space; when several fall in one cell, failure wins over
 * interrupted, interrupted over success, a task over a wait. A task shorter than a cell still
 * fills one. No line is wider than the label column plus `width + 3`. With no records,
 * `"no tasks recorded"`.
 *
 * **Example**
 *
 * ```ts
 * import { Chart, type Timeline } from "@fiberkit/observe"
 *
 * const task = (lane: string, label: string, queuedAt: number, startedAt: number, endedAt: number) =>
 *   ({ source: "FiberPool", group: "1", lane, label, queuedAt, startedAt, endedAt, outcome: "success" } as const)
 *
 * const records: ReadonlyArray<Timeline.TaskRecord> = [
 *   task("worker 0", "a", 0, 0, 40),
 *   task("worker 1", "b", 0, 0, 25),
 *   task("worker 1", "c", 0, 25, 70)
 * ]
 * console.log(Chart.terminal(records, { width: 40, color: true }))
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const terminal: (records: ReadonlyArray<Recorder.TaskRecord>, options?: TerminalOptions) => string =
  terminalInternal.terminal
