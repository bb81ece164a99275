import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { createHash } from "node:crypto"
import { FileUnreadable, InvalidOptions } from "../Errors.js"
import type * as Api from "../Files.js"

const CHUNK = 64 * 1024

/** @internal */
export const fold =
  <S, A>(initial: S, step: (state: S, chunk: Uint8Array) => S, done: (state: S) => A) =>
  (path: string): Effect.Effect<A, FileUnreadable, FileSystem.FileSystem> =>
    Effect.flatMap(FileSystem.FileSystem, (fs) =>
      fs.stream(path, { chunkSize: CHUNK }).pipe(
        Stream.runFold(initial, step),
        Effect.map(done),
        Effect.mapError((error) => new FileUnreadable({ path, reason: error.message }))
      ))

/** @internal */
export const lineCount = fold(0, (lines, chunk: Uint8Array) => {
  let n = lines
  for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n++
  return n
}, (lines) => lines)

/** @internal */
export const byteCount = fold(0, (bytes, chunk: Uint8Array) => bytes + chunk.length, (bytes) => bytes)

/** @internal */
export const sha256 = (path: string): Effect.Effect<string, FileUnreadable, FileSystem.FileSystem> =>
  // a new hash for every run: the effect may run again (a retry)
  Effect.suspend(() =>
    fold(createHash("sha256"), (hash, chunk: Uint8Array) => hash.update(chunk), (hash) => hash.digest("hex"))(path)
  )

/** @internal */
export const processFiles = <A, E, R>(
  paths: Iterable<string>,
  process: (path: string) => Effect.Effect<A, E, R>,
  options: { readonly concurrency: number }
): Stream.Stream<Either.Either<Api.FileResult<A>, E>, InvalidOptions, R> => {
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
  return Stream.mapEffect(
    Stream.fromIterable(paths),
    (path) =>
      Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        const outcome = yield* Effect.either(process(path))
        const end = yield* Clock.currentTimeMillis
        return Either.map(outcome, (value) => ({ path, value, durationMillis: end - start }))
      }),
    // outcomes as each ends: a slow file holds up nothing behind it
    { concurrency, unordered: true }
  )
}
