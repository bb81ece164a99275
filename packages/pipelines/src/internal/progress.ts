import * as Ansi from "@effect/printer-ansi/Ansi"
import * as AnsiDoc from "@effect/printer-ansi/AnsiDoc"
import type * as Api from "../Progress.js"

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

/**
 * A label on one line: line breaks become spaces and control characters (which could move the
 * cursor) are dropped. Done here rather than with `AnsiDoc.sanitize`, which only
 * `@effect/printer-ansi` 0.51 has: the peer range starts at 0.47.
 */
const label = (text: string): AnsiDoc.AnsiDoc => AnsiDoc.string(text.replace(/[\r\n]+/g, " ").replace(/\p{Cc}/gu, ""))

/** `n` cells of the bar, in their colour; none at all (not even the colour) when `n` is 0. */
const cells = (cell: string, n: number, colour: Ansi.Ansi): AnsiDoc.AnsiDoc =>
  n === 0 ? AnsiDoc.empty : AnsiDoc.annotate(AnsiDoc.string(cell.repeat(n)), colour)

/** @internal */
export const bar = (
  progress: Api.Progress,
  options?: { readonly label?: string | undefined; readonly width?: number | undefined }
): AnsiDoc.AnsiDoc => {
  const name = options?.label ?? ""
  const parts: Array<AnsiDoc.AnsiDoc> = []
  if (!hasTotal(progress)) {
    // no total: the count alone
    parts.push(AnsiDoc.annotate(AnsiDoc.string(`${progress.done}`), Ansi.bold))
  } else {
    const width = widthOf(options?.width)
    // a count past its total (an estimated total) draws a full bar, and says so in the counts
    const ratio = Math.min(1, progress.done / progress.total)
    const filled = Math.floor(ratio * width)
    const percent = `${Math.floor(ratio * 100)}%`.padStart(4)
    const done = `${progress.done}`.padStart(`${progress.total}`.length)
    parts.push(
      AnsiDoc.hcat([
        AnsiDoc.lbracket,
        cells(FILLED, filled, Ansi.green),
        cells(EMPTY, width - filled, Ansi.blackBright),
        AnsiDoc.rbracket
      ]),
      AnsiDoc.annotate(AnsiDoc.string(percent), Ansi.bold),
      AnsiDoc.string(`${done}/${progress.total}`)
    )
  }
  if (name.length > 0) parts.push(label(name))
  return AnsiDoc.hsep(parts)
}

/** The start of every redraw: the line erased, the cursor back to its first column. */
const clear = AnsiDoc.cat(AnsiDoc.eraseLine, AnsiDoc.cursorLeft)

/** @internal */
export const redraw = (doc: AnsiDoc.AnsiDoc, end: boolean): string =>
  AnsiDoc.render(AnsiDoc.hcat([clear, doc, end ? AnsiDoc.hardLine : AnsiDoc.empty]), { style: "pretty" })
