/**
 * Progress of a long run: a stream passed through `track` counts its items, and exposes the
 * count as a `Stream` of `Progress` for programs; `render` draws it as a bar on a terminal, and
 * prints nothing when the output is not a terminal.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"

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
    stream: Stream.tap(stream, () => SubscriptionRef.update(ref, (p) => ({ ...p, done: p.done + 1 }))),
    progress: ref.changes
  }))

/** `[#####-----]  50/100 items` */
const bar = (progress: Progress, label: string, width = 30): string => {
  if (progress.total === undefined || progress.total === 0) return `${progress.done} ${label}`
  const filled = Math.min(width, Math.round((progress.done / progress.total) * width)) // a count past an estimated total
  return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${progress.done}/${progress.total} ${label}`
}

/**
 * Draws `progress` on one terminal line, redrawn at most every 100 ms and once at the end; prints nothing when `output` (default `process.stdout`) is not a terminal. Ends
 * when the progress reaches its total; without a total, interrupt it when the work is done.
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
    const label = options?.label ?? ""
    let drawn = Number.NEGATIVE_INFINITY
    return progress.pipe(
      Stream.takeUntil((p) => p.total !== undefined && p.done >= p.total),
      Stream.runForEach((p) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            const last = p.total !== undefined && p.done >= p.total
            if (!last && now - drawn < 100) return
            drawn = now
            output.write(`\r${bar(p, label)}${last ? "\n" : ""}`)
          }))
      )
    )
  })
