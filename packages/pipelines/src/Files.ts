/**
 * Processing many files at once — the guide's file pipeline, on real files through
 * Effect's `FileSystem` (`effect/FileSystem`). Each path gives one result: the processor's value, or its
 * typed failure (a missing or unreadable file is `FileUnreadable`, in the results, not a
 * crash). The ready processors stream each file in chunks, so a file larger than memory is
 * fine. They read regular files only: a path that is something else (a FIFO, a socket, a device,
 * a directory) is `FileUnreadable` for that path, at once, before any open — opening a FIFO would
 * wait for a writer. Their open is interruptible: a timeout or an interruption ends it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as FileSystem from "effect/FileSystem"
import type * as Result from "effect/Result"
import type * as Stream from "effect/Stream"
import type { FileUnreadable, InvalidOptions } from "./Errors.js"
import * as internal from "./internal/files.js"

/**
 * One file's success in `processFiles`: its path, the processor's value, and how long it took.
 *
 * **Example**
 *
 * ```ts
 * import { Console, Result, Stream } from "effect"
 * import { Files } from "@fiberkit/pipelines"
 *
 * const report = Files.processFiles(["a.csv", "b.csv"], Files.lineCount, { concurrency: 2 }).pipe(
 *   Stream.runForEach(Result.match({
 *     onSuccess: (file: Files.FileResult<number>) =>
 *       Console.log(`${file.path}: ${file.value} lines in ${file.durationMillis} ms`),
 *     onFailure: (error) => Console.error(error.message)
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface FileResult<A> {
  readonly path: string
  readonly value: A
  readonly durationMillis: number
}

/**
 * Runs `process` on every path, `concurrency` at a time; one outcome per path, as each ends:
 * `Result.succeed` of its `FileResult` (read `.success`), or `Result.fail` of the processor's
 * failure (read `.failure`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import { Files } from "@fiberkit/pipelines"
 *
 * const counts = Files.processFiles(["a.csv", "b.json"], Files.lineCount, { concurrency: 4 }).pipe(
 *   Stream.runCollect,
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const processFiles: <A, E, R>(
  paths: Iterable<string>,
  process: (path: string) => Effect.Effect<A, E, R>,
  options: { readonly concurrency: number }
) => Stream.Stream<Result.Result<FileResult<A>, E>, InvalidOptions, R> = internal.processFiles

/**
 * The number of newline characters, as `wc -l` counts them; streamed in chunks.
 *
 * **Example**
 *
 * ```ts
 * import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
 * import { Effect } from "effect"
 * import { Files } from "@fiberkit/pipelines"
 *
 * const lines = Files.lineCount("data.csv").pipe(Effect.provide(NodeFileSystem.layer))
 * ```
 *
 * @since 0.1.0
 * @category processors
 */
export const lineCount: (path: string) => Effect.Effect<number, FileUnreadable, FileSystem.FileSystem> =
  internal.lineCount

/**
 * The number of bytes, read through (not taken from the file's metadata); streamed in chunks.
 *
 * **Example**
 *
 * ```ts
 * import { Files } from "@fiberkit/pipelines"
 *
 * const sizes = Files.processFiles(["a.bin", "b.bin"], Files.byteCount, { concurrency: 2 })
 * ```
 *
 * @since 0.1.0
 * @category processors
 */
export const byteCount: (path: string) => Effect.Effect<number, FileUnreadable, FileSystem.FileSystem> =
  internal.byteCount

/**
 * The SHA-256 of the content, in hex; streamed in chunks.
 *
 * **Example**
 *
 * ```ts
 * import { Files } from "@fiberkit/pipelines"
 *
 * const digest = Files.sha256("release.tar.gz") // Effect<string, FileUnreadable, FileSystem>
 * ```
 *
 * @since 0.1.0
 * @category processors
 */
export const sha256: (path: string) => Effect.Effect<string, FileUnreadable, FileSystem.FileSystem> = internal.sha256

/**
 * A processor of your own over the file's chunks: a fold from `initial` with `step`, finished
 * by `done`. Never holds more than one chunk. `initial` is shared by every run of the returned
 * effect: make it immutable (a number, a string), or build the processor per run.
 *
 * **Example**
 *
 * ```ts
 * import { Files } from "@fiberkit/pipelines"
 *
 * const zeroBytes = Files.fold(0, (n, chunk) => n + chunk.filter((b) => b === 0).length, (n) => n)
 * ```
 *
 * @since 0.1.0
 * @category processors
 */
export const fold: <S, A>(
  initial: S,
  step: (state: S, chunk: Uint8Array) => S,
  done: (state: S) => A
) => (path: string) => Effect.Effect<A, FileUnreadable, FileSystem.FileSystem> = internal.fold
