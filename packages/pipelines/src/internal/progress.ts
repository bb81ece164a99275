import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { PlatformError } from "effect/PlatformError"
import { hasProperty } from "effect/Predicate"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as Terminal from "effect/Terminal"
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

/**
 * Whether `u` is a `Progress` (a count `done`), not the options of `bar`: how `bar` tells its
 * data-first form from its data-last one.
 * @internal
 */
export const isProgress = (u: unknown): u is Api.Progress => hasProperty(u, "done") && typeof u.done === "number"

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

/**
 * The stream counting its items into a `SubscriptionRef`, and the ref's changes. A run starts from
 * 0; a count already at 0 is not published again.
 * @internal
 */
export const track = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  options?: { readonly total?: number | undefined }
): Effect.Effect<{ readonly stream: Stream.Stream<A, E, R>; readonly progress: Stream.Stream<Api.Progress> }> =>
  Effect.map(SubscriptionRef.make<Api.Progress>({ done: 0, total: options?.total }), (ref) => ({
    stream: Stream.unwrap(Effect.as(
      Effect.flatMap(
        SubscriptionRef.get(ref),
        (p) => p.done === 0 ? Effect.void : SubscriptionRef.set(ref, { ...p, done: 0 })
      ),
      Stream.tap(stream, () => SubscriptionRef.update(ref, (p) => ({ ...p, done: p.done + 1 })))
    )),
    progress: SubscriptionRef.changes(ref)
  }))

/** The least time between two redraws in place, by the `Clock`. */
const REDRAW_MILLIS = 100

/**
 * Draws the progress on the `Terminal`. With ANSI (by default when the terminal has columns, as
 * Node's has when stdout is a TTY), the line is redrawn in place at most every `REDRAW_MILLIS`;
 * without, a log cannot redraw a line, so only the last progress is written, as plain text. Either
 * way the last progress is drawn at the end, with a newline, whatever ends the drawing: the end of
 * the progress (or its total), its failure, or an interruption. That last write fails the drawing
 * only after a drawing that went well: after a failure or an interruption, which come first, a
 * failing write is dropped.
 * @internal
 */
export const render = <E, R>(
  progress: Stream.Stream<Api.Progress, E, R>,
  options?: Api.RenderOptions
): Effect.Effect<void, E | PlatformError, R | Terminal.Terminal> =>
  Effect.gen(function*() {
    const terminal = yield* Terminal.Terminal
    const ansi = options?.ansi ?? (yield* terminal.columns) > 0
    const draw = (p: Api.Progress, end: boolean) =>
      terminal.display(ansi ? redraw(bar(p, options), end) : `${Ansi.toText(bar(p, options))}\n`)
    let drawn = Number.NEGATIVE_INFINITY
    let last: Api.Progress | undefined
    const final = Effect.suspend(() => last === undefined ? Effect.void : draw(last, true))
    const drawing = progress.pipe(
      Stream.takeUntil(isComplete),
      Stream.runForEach((p) => {
        last = p
        // the final line is drawn at the end, whatever ends the drawing; plain text only then
        if (!ansi || isComplete(p)) return Effect.void
        return Effect.flatMap(Clock.currentTimeMillis, (now) => {
          if (now - drawn < REDRAW_MILLIS) return Effect.void
          drawn = now
          return draw(p, false)
        })
      })
    )
    yield* Effect.onExit(drawing, (exit) => Exit.isSuccess(exit) ? Effect.void : Effect.ignore(final))
    yield* final
  })
