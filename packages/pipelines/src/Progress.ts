/**
 * Progress of a long run: a stream passed through `track` counts its items, and exposes the
 * count as a `Stream` of `Progress` for programs; `render` draws it as a bar on a terminal, with
 * `@effect/printer-ansi` (`bar` is the line, an `AnsiDoc`), and prints nothing when the output is
 * not a terminal.
 *
 * @since 0.1.0
 */
import type * as AnsiDoc from "@effect/printer-ansi/AnsiDoc"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
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
 *   yield* Effect.fork(Progress.render(progress, { label: "items" }))
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
    progress: ref.changes
  }))

/**
 * One line of progress as an `AnsiDoc`: with a total, a bar (the part done green, the rest dim), the
 * percentage in bold, the counts and the label, as in `[███████████████░░░░░░░░░░░░░░░]  50% 25/50 URLs`;
 * without a total, the count and the label (`3 rows`). A count past its total (an estimated total)
 * draws a full bar and says `100%`, the counts showing by how much. `width` is the bar's cells
 * (default 30), normalized rather than rejected, as Effect normalizes counts: rounded down and
 * clamped to 1 … 1000 (so `Infinity` draws 1000 cells, `0` or a negative width 1), and `NaN` draws
 * the default. Line breaks and control characters in the label are dropped, so the line stays one
 * line. `render` draws it; a program can render it as it likes with `AnsiDoc.render`.
 *
 * **Example**
 *
 * ```ts
 * import * as AnsiDoc from "@effect/printer-ansi/AnsiDoc"
 * import { Progress } from "@fiberkit/pipelines"
 *
 * const line = AnsiDoc.render(Progress.bar({ done: 25, total: 50 }, { label: "URLs", width: 10 }), { style: "pretty" })
 * // "[█████░░░░░]  50% 25/50 URLs", in colours
 * ```
 *
 * @since 0.1.0
 * @category rendering
 */
export const bar: (
  progress: Progress,
  options?: { readonly label?: string | undefined; readonly width?: number | undefined }
) => AnsiDoc.AnsiDoc = internal.bar

/**
 * Draws `progress` on one terminal line (`bar`, rendered with `@effect/printer-ansi`), erased and
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
 * const drawing = Effect.fork(Progress.render(progress, { label: "files" }))
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
