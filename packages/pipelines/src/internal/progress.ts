import type * as Api from "../Progress.js"
import * as Ansi from "./ansi.js"

/** The width of the bar, in cells, when none is given (or `NaN`). */
const WIDTH = 30

/** The widest bar drawn: a wider one (`Infinity`) is drawn this wide. */
const MAX_WIDTH = 1000

/**
 * The width normalized, as Effect normalizes counts (`Array.makeBy`): rounded down and clamped to
 * 1 … `MAX_WIDTH`; `NaN` (and no width) is the default. A cosmetic option never fails the drawing.
 */
const widthOf = (width: number | undefined): number =>
  width === undefined || Number.isNaN(width) ? WIDTH : Math.min(MAX_WIDTH, Math.max(1, Math.floor(width)))

/** The cells of the bar: done, and still to do. */
const FILLED = "█"
const EMPTY = "░"

/** @internal */
export const hasTotal = (progress: Api.Progress): progress is Api.Progress & { readonly total: number } =>
  progress.total !== undefined && progress.total > 0

/** @internal */
export const isComplete = (progress: Api.Progress): boolean =>
  progress.total !== undefined && progress.done >= progress.total

const span = (text: string, style?: Api.Style): Api.Span => style === undefined ? { text } : { text, style }

/** `n` cells of the bar, in their style; no span at all when `n` is 0. */
const cells = (cell: string, n: number, style: Api.Style): ReadonlyArray<Api.Span> =>
  n === 0 ? [] : [span(cell.repeat(n), style)]

/** @internal */
export const bar = (
  progress: Api.Progress,
  options?: { readonly label?: string | undefined; readonly width?: number | undefined }
): Api.Line => {
  // the label on one line: line breaks become spaces, control characters (which could move the cursor) are dropped
  const name = Ansi.oneLine(options?.label ?? "")
  // the parts, separated by one space
  const parts: Array<ReadonlyArray<Api.Span>> = []
  if (!hasTotal(progress)) {
    // no total: the count alone
    parts.push([span(`${progress.done}`, "bold")])
  } else {
    const width = widthOf(options?.width)
    // a count past its total (an estimated total) draws a full bar, and says so in the counts
    const ratio = Math.min(1, progress.done / progress.total)
    const filled = Math.floor(ratio * width)
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
    const done = `${progress.done}`.padStart(`${progress.total}`.length)
    parts.push(
      [span("["), ...cells(FILLED, filled, "green"), ...cells(EMPTY, width - filled, "dim"), span("]")],
      [span(percent, "bold")],
      [span(`${done}/${progress.total}`)]
    )
  }
  if (name.length > 0) parts.push([span(name)])
  return parts.flatMap((part, i) => i === 0 ? part : [span(" "), ...part])
}

/**
 * One redraw of the line in place: the line erased and the cursor back to its first column, the
 * line in its styles, and a newline when it is the last.
 * @internal
 */
export const redraw = (line: Api.Line, end: boolean): string =>
  `${Ansi.eraseLine}${Ansi.cursorLeft}${Ansi.toAnsi(line)}${end ? "\n" : ""}`
