/**
 * Progress of a long run: a stream passed through `track` counts its items, and exposes the
 * count as a `Stream` of `Progress` for programs; `render` draws it on Effect's `Terminal`
 * (`effect/Terminal`: provide `NodeTerminal.layer`, or a terminal of your own), as a bar redrawn in
 * place with ANSI colours when the terminal is one, or its last line as plain text when it is not
 * (a log). `bar` is the line, a `Line` of styled spans: `toAnsi` renders it with ANSI colours,
 * `toText` without. `track`, `bar` and `render` are dual: `stream.pipe(Progress.track({ total }))`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type { PlatformError } from "effect/PlatformError"
import * as Stream from "effect/Stream"
import type * as Terminal from "effect/Terminal"
import * as ansi from "./internal/ansi.js"
import * as internal from "./internal/progress.js"

/**
 * How far a run is: `done` items, of `total` when it is known. `track` gives a `Stream` of them.
 *
 * **Example**
 *
 * ```ts
 * import { Stream } from "effect"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * declare const progress: Stream.Stream<Progress.Progress>
 * const percents = Stream.map(progress, (p: Progress.Progress) =>
 *   p.total === undefined ? `${p.done} so far` : `${Math.floor((100 * p.done) / p.total)}%`)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly done: number
  readonly total: number | undefined
}

/**
 * The styles of a `Span`: bold, green, and dim (a bright black, grey on most terminals).
 *
 * **Example**
 *
 * ```ts
 * import type { Progress } from "@fiberkit/pipelines"
 *
 * // the styles as CSS, to draw a `Progress.Line` in a web page
 * const css: Record<Progress.Style, string> = { bold: "font-weight: bold", green: "color: green", dim: "color: grey" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Style = "bold" | "green" | "dim"

/**
 * A run of text in one style, or in none.
 *
 * **Example**
 *
 * ```ts
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const html = (span: Progress.Span) =>
 *   span.style === undefined ? span.text : `<span class="${span.style}">${span.text}</span>`
 * const page = Progress.bar({ done: 3, total: 4 }, { label: "pages" }).map(html).join("")
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Span {
  readonly text: string
  readonly style?: Style | undefined
}

/**
 * One line of styled text, as `bar` draws it: its spans, in order. Render it with `toAnsi` (for a
 * terminal) or `toText` (plain), or read the spans to draw it some other way.
 *
 * **Example**
 *
 * ```ts
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const line: Progress.Line = Progress.bar({ done: 1, total: 2 }, { label: "files", width: 4 })
 * const done = line.filter((span) => span.style === "green").map((span) => span.text).join("") // "██"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Line = ReadonlyArray<Span>

/**
 * The options of `render`: the line's `label` and `width` (as `bar` takes them), and `ansi`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * // plain text, even on a terminal: the last line once, for a log
 * const options: Progress.RenderOptions = { label: "rows", width: 20, ansi: false }
 * declare const progress: Stream.Stream<Progress.Progress>
 * const drawing = Progress.render(progress, options).pipe(Effect.provide(NodeTerminal.layer))
 * ```
 *
 * @since 0.3.0
 * @category models
 */
export interface RenderOptions {
  /** Said after the counts: what is counted (`"URLs"`). */
  readonly label?: string | undefined
  /** The bar's cells (default 30), normalized as `bar` normalizes it. */
  readonly width?: number | undefined
  /**
   * `true`: the line redrawn in place, in colours (ANSI escapes); `false`: no escapes and no
   * redraws, the last line once, as plain text. Default: whether the terminal is one — it has
   * columns (`Terminal.columns` > 0; Node's terminal has them when stdout is a TTY). A TTY without
   * a size (a pseudo-terminal whose window size was never set) says 0: pass `true` there.
   */
  readonly ansi?: boolean | undefined
}

/**
 * The stream, counting the items that pass, and the running count (current value first).
 *
 * The count is per run: each run of the returned stream (a second `Stream.runDrain`, or
 * `Stream.retry` starting it again) sets `done` back to 0 as it starts, so `done` never counts
 * one run's items on top of another's. Two runs at once share the one count: track each on its own.
 * Dual: `Progress.track(stream, options)` or `stream.pipe(Progress.track(options))`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const program = Effect.gen(function*() {
 *   const { progress, stream } = yield* Progress.track(Stream.range(1, 100), { total: 100 })
 *   yield* Effect.forkChild(Progress.render(progress, { label: "items" }))
 *   yield* Stream.runDrain(stream)
 * }).pipe(Effect.provide(NodeTerminal.layer))
 *
 * // or in a pipe
 * const tracked = Stream.range(1, 100).pipe(Progress.track({ total: 100 }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const track: {
  (options?: { readonly total?: number | undefined }): <A, E, R>(
    stream: Stream.Stream<A, E, R>
  ) => Effect.Effect<{ readonly stream: Stream.Stream<A, E, R>; readonly progress: Stream.Stream<Progress> }>
  <A, E, R>(
    stream: Stream.Stream<A, E, R>,
    options?: { readonly total?: number | undefined }
  ): Effect.Effect<{ readonly stream: Stream.Stream<A, E, R>; readonly progress: Stream.Stream<Progress> }>
} = dual((args) => Stream.isStream(args[0]), internal.track)

/**
 * One line of progress, as a `Line` of styled spans: with a total, a bar (the part done green, the rest dim), the
 * percentage in bold, the counts and the label, as in `[███████████████░░░░░░░░░░░░░░░]  50% 25/50 URLs`;
 * without a total, the count and the label (`3 rows`). A count past its total (an estimated total)
 * draws a full bar and says `100%`, the counts showing by how much. `width` is the bar's cells
 * (default 30), normalized rather than rejected, as Effect normalizes counts: rounded down and
 * clamped to 1 … 1000 (so `Infinity` draws 1000 cells, `0` or a negative width 1), and `NaN` draws
 * the default. Line breaks and control characters in the label are dropped, so the line stays one
 * line. `render` draws it; a program can render it with `toAnsi` or `toText`, or as it likes.
 * Dual: `Progress.bar(progress, options)` or `Progress.bar(options)(progress)`.
 *
 * **Example**
 *
 * ```ts
 * import { Stream } from "effect"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const line = Progress.bar({ done: 25, total: 50 }, { label: "URLs", width: 10 })
 * Progress.toAnsi(line) // "[█████░░░░░]  50% 25/50 URLs", in colours
 * Progress.toText(line) // "[█████░░░░░]  50% 25/50 URLs"
 *
 * // data-last: every progress as a line
 * declare const progress: Stream.Stream<Progress.Progress>
 * const lines = Stream.map(progress, Progress.bar({ label: "URLs" }))
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const bar: {
  (options?: { readonly label?: string | undefined; readonly width?: number | undefined }): (
    progress: Progress
  ) => Line
  (progress: Progress, options?: { readonly label?: string | undefined; readonly width?: number | undefined }): Line
} = dual((args) => internal.isProgress(args[0]), internal.bar)

/**
 * A `Line` with its styles as ANSI escape sequences (SGR), for a terminal: each styled span starts
 * with a reset and its style and ends with a reset (`ESC[0;32m██ESC[0m`); a span without a style,
 * or an empty one, has no escapes. Every span's text is put on one line first: line breaks become
 * spaces and control characters (ESC among them) are dropped, so that a line never moves the
 * cursor or carries escapes of its own.
 *
 * **Example**
 *
 * ```ts
 * import { Progress } from "@fiberkit/pipelines"
 *
 * Progress.toAnsi([{ text: "[" }, { text: "██", style: "green" }, { text: "]" }])
 * // "[\u001b[0;32m██\u001b[0m]"
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const toAnsi: (line: Line) => string = ansi.toAnsi

/**
 * A `Line` as plain text, without its styles: what a terminal shows of `toAnsi(line)`.
 *
 * **Example**
 *
 * ```ts
 * import { Progress } from "@fiberkit/pipelines"
 *
 * Progress.toText(Progress.bar({ done: 3, total: undefined }, { label: "rows" })) // "3 rows"
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const toText: (line: Line) => string = ansi.toText

/**
 * Draws `progress` on the `Terminal` (`effect/Terminal`: `NodeTerminal.layer` from
 * `@effect/platform-node`, or a terminal of your own). With ANSI (`ansi`, by default when the
 * terminal is one: it has columns), one line (`bar`, rendered with `toAnsi`) erased and redrawn in
 * place at most every 100 ms (by the `Clock`), and once more at the end followed by a newline;
 * without, no escapes and no redraws: the last line once, at the end, as plain text (`toText`) and
 * a newline — a log keeps one line, not a line per redraw. Ends when the progress reaches its
 * total or its stream ends; without a total, interrupt it when the work is done — the last count
 * is drawn then. Fails with the progress stream's error, or a write's `PlatformError`.
 * Dual: `Progress.render(progress, options)` or `progress.pipe(Progress.render(options))`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * declare const progress: Stream.Stream<Progress.Progress>
 * const drawing = Effect.forkChild(Progress.render(progress, { label: "files" })).pipe(
 *   Effect.provide(NodeTerminal.layer)
 * )
 * const piped = progress.pipe(Progress.render({ label: "files" }), Effect.provide(NodeTerminal.layer))
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const render: {
  (options?: RenderOptions): <E, R>(
    progress: Stream.Stream<Progress, E, R>
  ) => Effect.Effect<void, E | PlatformError, R | Terminal.Terminal>
  <E, R>(
    progress: Stream.Stream<Progress, E, R>,
    options?: RenderOptions
  ): Effect.Effect<void, E | PlatformError, R | Terminal.Terminal>
} = dual((args) => Stream.isStream(args[0]), internal.render)
