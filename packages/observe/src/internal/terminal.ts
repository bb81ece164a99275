/**
 * The text Gantt chart: a summary line, a header with the start and end times, one line per lane
 * (the same rows as the SVG) with a track of `width` cells, and a legend. ANSI colours on demand.
 */
import type * as Recorder from "@fiberkit/sync/Recorder"
import type * as Api from "../Chart.js"
import { formatDuration, layout, length, summary, truncate } from "./chart.js"

/** @internal */
export const DEFAULT_WIDTH = 60
/** @internal */
export const MIN_WIDTH = 20
/** Longer lane titles are cut, ending in `…`. @internal */
export const MAX_LABEL = 40

/** What a cell shows, an index into `GLYPHS`; when several things fall in one cell the highest wins. */
type Cell = 0 | 1 | 2 | 3 | 4
const Cell = { Idle: 0, Wait: 1, Success: 2, Interrupted: 3, Failure: 4 } as const

/** @internal */
export const GLYPHS: ReadonlyArray<string> = [" ", "·", "█", "▒", "x"]

const ANSI: ReadonlyArray<string> = ["", "\u001b[90m", "\u001b[32m", "\u001b[33m", "\u001b[31m"]
const RESET = "\u001b[0m"

const CELL_OF: Readonly<Record<Recorder.Outcome, Cell>> = {
  success: Cell.Success,
  failure: Cell.Failure,
  interrupted: Cell.Interrupted
}

const paint = (cell: Cell, text: string, color: boolean): string =>
  color && cell !== Cell.Idle ? `${ANSI[cell]}${text}${RESET}` : text

const widthOf = (options: Api.TerminalOptions | undefined): number => {
  const width = options?.width
  return width === undefined || !Number.isFinite(width) ? DEFAULT_WIDTH : Math.max(MIN_WIDTH, Math.floor(width))
}

/** Items joined by `separator` into lines of at most `max` characters; an item longer than a line is cut. */
const wrap = (items: ReadonlyArray<string>, separator: string, max: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const item of items.map((item) => truncate(item, max))) {
    if (line === "") line = item
    else if (length(line) + separator.length + length(item) <= max) line += separator + item
    else {
      lines.push(line)
      line = item
    }
  }
  if (line !== "") lines.push(line)
  return lines
}

/** @internal */
export const terminal = (records: ReadonlyArray<Recorder.TaskRecord>, options?: Api.TerminalOptions): string => {
  const width = widthOf(options)
  const color = options?.color === true
  const chart = layout(records)
  if (chart.rows.length === 0) return "no tasks recorded"
  const labelWidth = Math.min(MAX_LABEL, chart.rows.reduce((longest, row) => Math.max(longest, length(row.title)), 0))
  // every line fits in `total` columns: the label column, " │", the track, "│"
  const total = labelWidth + 2 + width + 1
  const scale = chart.span > 0 ? width / chart.span : 0
  // the tolerance keeps a time on a cell boundary from spilling into the next cell through rounding
  const cellAt = (t: number): number => Math.min(width - 1, Math.floor(t * scale + 1e-9))
  const cellAfter = (t: number): number => Math.min(width, Math.ceil(t * scale - 1e-9))

  const lines: Array<string> = wrap(summary(chart), " · ", total)
  const end = formatDuration(chart.span)
  const start = `0 ${end.slice(end.lastIndexOf(" ") + 1)}`
  const gap = width - length(start) - length(end)
  const header = gap >= 1 ? start + " ".repeat(gap) + end : length(end) <= width ? end.padStart(width) : ""
  lines.push((" ".repeat(labelWidth + 2) + header).trimEnd())

  for (const row of chart.rows) {
    const cells = new Array<Cell>(width).fill(Cell.Idle)
    for (const bar of row.bars) {
      const first = cellAt(bar.started)
      if (bar.started > bar.queued) {
        for (let c = cellAt(bar.queued); c < first; c++) cells[c] = Math.max(cells[c]!, Cell.Wait) as Cell
      }
      // a task too short for a cell still shows in one
      const last = Math.max(first + 1, cellAfter(bar.ended))
      const kind = CELL_OF[bar.record.outcome] ?? Cell.Failure
      for (let c = first; c < last; c++) cells[c] = Math.max(cells[c]!, kind) as Cell
    }
    let track = ""
    for (let c = 0; c < width;) {
      let n = 1
      while (c + n < width && cells[c + n] === cells[c]) n++
      track += paint(cells[c]!, GLYPHS[cells[c]!]!.repeat(n), color)
      c += n
    }
    const label = truncate(row.title, labelWidth)
    lines.push(`${label}${" ".repeat(labelWidth - length(label))} │${track}│`)
  }

  const legend: Array<readonly [Cell, string]> = [
    [Cell.Success, "success"],
    [Cell.Failure, "failure"],
    [Cell.Interrupted, "interrupted"],
    [Cell.Wait, "waiting"]
  ]
  for (const line of wrap(legend.map(([cell, name]) => `${GLYPHS[cell]} ${name}`), "  ", total)) {
    // the glyph is the first character of each item
    lines.push(legend.reduce(
      (text, [cell, name]) => text.replace(`${GLYPHS[cell]} ${name}`, `${paint(cell, GLYPHS[cell]!, color)} ${name}`),
      line
    ))
  }
  return lines.join("\n")
}
