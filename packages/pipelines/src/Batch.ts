/**
 * Batches: a stream cut into fixed-size groups, each processed by one call, several at once,
 * with the results in the order of the input — the guide's batch operations.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Stream from "effect/Stream"
import { InvalidOptions } from "./Errors.js"

/**
 * Groups `items` into batches of `size` (the last may be smaller) and runs `process` on each,
 * `concurrency` at a time; the stream gives each batch's result in input order. Keeping the
 * order means a slow batch holds back the results after it, and the start of the batches
 * more than `concurrency` places behind it.
 *
 * **Example**
 *
 * ```ts
 * import { Chunk, Effect, Stream } from "effect"
 * import { Batch } from "@fiberkit/pipelines"
 *
 * const saved = Batch.batch(Stream.range(1, 1000), { size: 100, concurrency: 4 }, (items) =>
 *   Effect.succeed(Chunk.size(items)) // e.g. one INSERT of 100 rows
 * ).pipe(Stream.runCollect)
 *
 * // or data-last, in a pipe
 * const sizes = Stream.range(1, 1000).pipe(
 *   Batch.batch({ size: 100, concurrency: 4 }, (items) => Effect.succeed(Chunk.size(items))),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const batch: {
  <A, B, E, R>(
    options: { readonly size: number; readonly concurrency: number },
    process: (batch: Chunk.Chunk<A>, index: number) => Effect.Effect<B, E, R>
  ): <E1, R1>(items: Stream.Stream<A, E1, R1>) => Stream.Stream<B, E1 | E | InvalidOptions, R1 | R>
  <A, E1, R1, B, E, R>(
    items: Stream.Stream<A, E1, R1>,
    options: { readonly size: number; readonly concurrency: number },
    process: (batch: Chunk.Chunk<A>, index: number) => Effect.Effect<B, E, R>
  ): Stream.Stream<B, E1 | E | InvalidOptions, R1 | R>
} = dual(3, <A, E1, R1, B, E, R>(
  items: Stream.Stream<A, E1, R1>,
  options: { readonly size: number; readonly concurrency: number },
  process: (batch: Chunk.Chunk<A>, index: number) => Effect.Effect<B, E, R>
): Stream.Stream<B, E1 | E | InvalidOptions, R1 | R> => {
  for (const field of ["size", "concurrency"] as const) {
    const value = options[field]
    if (!Number.isSafeInteger(value) || value < 1) {
      return Stream.fail(new InvalidOptions({ operation: "Batch.batch", field, expected: "an integer ≥ 1", value }))
    }
  }
  return items.pipe(
    Stream.grouped(options.size),
    Stream.zipWithIndex, // numbered per run
    // the group is a new array of the stream's, never changed after: wrapped, not copied
    Stream.mapEffect(([group, at]) => process(Chunk.fromArrayUnsafe(group), at), { concurrency: options.concurrency })
  )
})
