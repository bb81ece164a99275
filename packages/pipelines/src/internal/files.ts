import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FileSystem from "effect/FileSystem"
import * as Option from "effect/Option"
import type { PlatformError } from "effect/PlatformError"
import * as Result from "effect/Result"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { FileUnreadable, InvalidOptions } from "../Errors.js"
import type * as Api from "../Files.js"
import { asCompleted } from "./asCompleted.js"

/** The bytes of one read. */
const CHUNK = 64 * 1024

/**
 * Opens `path` for reading if it is a regular file, the file closed with `scope`. Anything else
 * (a FIFO, a socket, a device, a directory) fails at once, before the open: opening a FIFO waits
 * for a writer, and may wait forever. The platform's open is the uninterruptible acquisition of a
 * scoped resource, so it runs in a fiber of its own, into `scope`, and the caller waits for it
 * interruptibly: an open that does not return (the path replaced by a FIFO after the check) holds
 * no fiber, and a file it opens after its caller has gone is closed at once, `scope` being closed.
 */
const openRegular = (
  fs: FileSystem.FileSystem,
  path: string,
  scope: Scope.Scope
): Effect.Effect<FileSystem.File, PlatformError | FileUnreadable> =>
  Effect.flatMap(
    fs.stat(path),
    (info): Effect.Effect<FileSystem.File, PlatformError | FileUnreadable> =>
      info.type !== "File"
        ? Effect.fail(new FileUnreadable({ path, reason: `not a regular file (${info.type})` }))
        : Effect.flatMap(Effect.forkDetach(Scope.provide(fs.open(path, { flag: "r" }), scope)), Fiber.join)
  )

/**
 * Reads the file chunk by chunk and folds the chunks: one read at a time, no stream between the
 * file and the fold. With `reuse`, every chunk is read into one buffer: no allocation per chunk,
 * for steps that do not keep a chunk (counting, hashing).
 */
const read = <S, A>(
  path: string,
  initial: S,
  step: (state: S, chunk: Uint8Array) => S,
  done: (state: S) => A,
  reuse: boolean
): Effect.Effect<A, FileUnreadable, FileSystem.FileSystem> =>
  Effect.flatMap(
    FileSystem.FileSystem,
    (fs) =>
      Effect.acquireUseRelease(Scope.make(), (scope) =>
        Effect.flatMap(openRegular(fs, path, scope), (file) => {
          let state = initial
          const buffer = reuse ? new Uint8Array(CHUNK) : undefined
          const next: Effect.Effect<A, PlatformError> = buffer === undefined
            ? Effect.flatMap(file.readAlloc(CHUNK), (chunk) => {
              if (Option.isNone(chunk)) return Effect.succeed(done(state))
              state = step(state, chunk.value)
              return next
            })
            : Effect.flatMap(file.read(buffer), (size) => {
              if (size === 0) return Effect.succeed(done(state))
              state = step(state, buffer.subarray(0, size))
              return next
            })
          return next
        }), (scope, exit) => Scope.close(scope, exit)).pipe(
          Effect.mapError((error) =>
            error._tag === "FileUnreadable" ? error : new FileUnreadable({ path, reason: error.message })
          )
        )
  )

/**
 * Each chunk is a buffer of its own: a step may keep it.
 * @internal
 */
export const fold =
  <S, A>(initial: S, step: (state: S, chunk: Uint8Array) => S, done: (state: S) => A) => (path: string) =>
    read(path, initial, step, done, false)

/** Newlines in a chunk: `Buffer#indexOf` is `memchr`, much faster than `Uint8Array#indexOf`. */
const newlines = (chunk: Uint8Array, lines: number): number => {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  let n = lines
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) n++
  return n
}

/** @internal */
export const lineCount = (path: string) =>
  read(path, 0, (lines, chunk) => newlines(chunk, lines), (lines) => lines, true)

/** @internal */
export const byteCount = (path: string) => read(path, 0, (bytes, chunk) => bytes + chunk.length, (bytes) => bytes, true)

/** @internal */
export const sha256 = (path: string): Effect.Effect<string, FileUnreadable, FileSystem.FileSystem> =>
  // a new hash for every run: the effect may run again (a retry)
  Effect.suspend(() =>
    read(path, createHash("sha256"), (hash, chunk) => hash.update(chunk), (hash) => hash.digest("hex"), true)
  )

/** @internal */
export const processFiles = <A, E, R>(
  paths: Iterable<string>,
  process: (path: string) => Effect.Effect<A, E, R>,
  options: { readonly concurrency: number }
): Stream.Stream<Result.Result<Api.FileResult<A>, E>, InvalidOptions, R> => {
  const { concurrency } = options
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    return Stream.fail(
      new InvalidOptions({
        operation: "Files.processFiles",
        field: "concurrency",
        expected: "an integer ≥ 1",
        value: concurrency
      })
    )
  }
  const one = (path: string) =>
    Effect.flatMap(
      Clock.currentTimeMillis,
      (start) =>
        Effect.flatMap(Effect.result(process(path)), (outcome) =>
          Effect.map(
            Clock.currentTimeMillis,
            (end) => Result.map(outcome, (value): Api.FileResult<A> => ({ path, value, durationMillis: end - start }))
          ))
    )
  // outcomes as each ends: a slow file holds up nothing behind it
  return asCompleted(paths, one, concurrency)
}
