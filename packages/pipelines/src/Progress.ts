/**
 * Progress of a long run: a stream passed through `track` counts its items, and exposes the
 * count as a `Stream` of `Progress` for programs; `render` draws it as a bar on a terminal (`bar`
 * is the line, a `Line` of styled spans: `toAnsi` renders it with ANSI colours, `toText` without),
 * and prints nothing when the output is not a terminal.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import * as ansi from "./internal/ansi.js"
import * as internal from "./internal/progress.js"

/**
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
 * @since 0.1.0
 * @category models
 */
export type Style = "bold" | "green" | "dim"

/**
 * A run of text in one style, or in none.
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
 * @since 0.1.0
 * @category models
 */
export type Line = ReadonlyArray<Span>

/**
 * The stream, counting the items that pass, and the running count (current value first).
 *
 * The count is per run: each run of the returned stream (a second `Stream.runDrain`, or
 * `Stream.retry` starting it again) sets `done` back to 0 as it starts, so `done` never counts
 * one run's items on top of another's. Two runs at once share the one count: track each on its own.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const program = Effect.gen(function*() {
 *   const { progress, stream } = yield* Progress.track(Stream.range(1, 100), { total: 100 })
 *   yield* Effect.forkChild(Progress.render(progress, { label: "items" }))
 *   yield* Stream.runDrain(stream)
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const track = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  options?: { readonly total?: number | undefined }
): Effect.Effect<{ readonly stream: Stream.Stream<A, E, R>; readonly progress: Stream.Stream<Progress> }> =>
  Effect.map(SubscriptionRef.make<Progress>({ done: 0, total: options?.total }), (ref) => ({
    // a run starts from 0; a count already at 0 is not published again
    stream: Stream.unwrap(Effect.as(
      Effect.flatMap(
        SubscriptionRef.get(ref),
        (p) => p.done === 0 ? Effect.void : SubscriptionRef.set(ref, { ...p, done: 0 })
      ),
      Stream.tap(stream, () => SubscriptionRef.update(ref, (p) => ({ ...p, done: p.done + 1 })))
    )),
    progress: SubscriptionRef.changes(ref)
  }))

/**
 * One line of progress, as a `Line` of styled spans: with a total, a bar (the part done green, the rest dim), the
 * percentage in bold, the counts and the label, as in `[███████████████░░░░░░░░░░░░░░░]  50% 25/50 URLs`;
 * without a total, the count and the label (`3 rows`). A count past its total (an estimated total)
 * draws a full bar and says `100%`, the counts showing by how much. `width` is the bar's cells
 * (default 30), normalized rather than rejected, as Effect normalizes counts: rounded down and
 * clamped to 1 … 1000 (so `Infinity` draws 1000 cells, `0` or a negative width 1), and `NaN` draws
 * the default. Line breaks and control characters in the label are dropped, so the line stays one
 * line. `render` draws it; a program can render it with `toAnsi` or `toText`, or as it likes.
 *
 * **Example**
 *
 * ```ts
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const line = Progress.bar({ done: 25, total: 50 }, { label: "URLs", width: 10 })
 * Progress.toAnsi(line) // "[█████░░░░░]  50% 25/50 URLs", in colours
 * Progress.toText(line) // "[█████░░░░░]  50% 25/50 URLs"
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const bar: (
  progress: Progress,
  options?: { readonly label?: string | undefined; readonly width?: number | undefined }
) => Line = internal.bar

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
 * Draws `progress` on one terminal line (`bar`, rendered with `toAnsi`), erased and
 * redrawn in place at most every 100 ms (by the `Clock`), and once more at the end followed by a
 * newline; prints nothing when `output` (default `process.stdout`) is not a terminal. Ends when the
 * progress reaches its total or its stream ends; without a total, interrupt it when the work is
 * done — the last count is drawn then.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * declare const progress: Stream.Stream<Progress.Progress>
 * const drawing = Effect.forkChild(Progress.render(progress, { label: "files" }))
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (
  progress: Stream.Stream<Progress>,
  options?: {
    readonly label?: string | undefined
    readonly output?: { readonly isTTY?: boolean; readonly write: (text: string) => unknown } | undefined
  }
): Effect.Effect<void> =>
  Effect.suspend(() => {
    const output = options?.output ?? process.stdout
    if (output.isTTY !== true) return Effect.void
    const draw = (p: Progress, end: boolean) => output.write(internal.redraw(internal.bar(p, options), end))
    let drawn = Number.NEGATIVE_INFINITY
    let last: Progress | undefined
    return progress.pipe(
      Stream.takeUntil(internal.isComplete),
      Stream.runForEach((p) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            last = p
            // the final line is drawn at the end, whatever ends the drawing
            if (internal.isComplete(p) || now - drawn < 100) return
            drawn = now
            draw(p, false)
          }))
      ),
      Effect.ensuring(Effect.sync(() => {
        if (last !== undefined) draw(last, true)
      }))
    )
  })
