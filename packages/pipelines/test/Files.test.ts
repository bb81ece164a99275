import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, TestTime } from "@fiberkit/testkit"
import { Effect, Result, Stream } from "effect"
import type * as FileSystem from "effect/FileSystem"
import type * as Scope from "effect/Scope"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { FileUnreadable } from "../src/Errors.js"
import * as Files from "../src/Files.js"

/** A fresh directory of real files, removed afterwards. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-pipelines-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** Writes each file of `contents` into a temp dir; returns the dir and the full paths by name. */
const withFiles = (contents: Record<string, string | Uint8Array>) =>
  Effect.map(tempDir, (dir) => {
    const paths: Record<string, string> = {}
    for (const [name, content] of Object.entries(contents)) {
      paths[name] = path.join(dir, name)
      fs.writeFileSync(paths[name], content)
    }
    return { dir, paths }
  })

const newlines = (content: Uint8Array): number => content.reduce((n, byte) => byte === 10 ? n + 1 : n, 0)

const sha256Of = (content: Uint8Array): string => crypto.createHash("sha256").update(content).digest("hex")

/** Bytes 0‥255 from a fixed seed: newlines land anywhere, across the 64 KiB chunk boundaries too. */
const pseudoRandom = (n: number, seed = 42): Uint8Array => {
  const bytes = new Uint8Array(n)
  let state = seed
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    bytes[i] = state >>> 24
  }
  return bytes
}

const contents: Record<string, Uint8Array> = {
  "lines.txt": new TextEncoder().encode("one\ntwo\nthree\n"),
  "no-trailing-newline.txt": new TextEncoder().encode("first\nsecond\nno newline at the end"),
  "empty.txt": new Uint8Array(0),
  "crlf.txt": new TextEncoder().encode("a\r\nb\r\n\r\n"),
  "only-newlines-one-chunk.txt": new Uint8Array(64 * 1024).fill(10),
  "only-newlines-past-a-chunk.txt": new Uint8Array(64 * 1024 + 1).fill(10),
  "binary.bin": pseudoRandom(300_001)
}

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Stream.runCollect(stream)

const live = <A, E>(name: string, body: Effect.Effect<A, E, FileSystem.FileSystem | Scope.Scope>, timeout = 30_000) =>
  it.live(name, () => body.pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)), timeout)

/** The path of an outcome: the result's, or the `FileUnreadable`'s. */
const pathOf = <A>(outcome: Result.Result<Files.FileResult<A>, FileUnreadable>): string =>
  Result.isSuccess(outcome) ? outcome.success.path : outcome.failure.path

describe("Files processors on real files", () => {
  live(
    "lineCount is the number of \"\\n\", including without a trailing newline and for an empty file",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      for (const [name, content] of Object.entries(contents)) {
        assert.strictEqual(yield* Files.lineCount(paths[name]!), newlines(content), name)
      }
      // the hand-counted ones
      assert.strictEqual(yield* Files.lineCount(paths["lines.txt"]!), 3)
      assert.strictEqual(yield* Files.lineCount(paths["no-trailing-newline.txt"]!), 2)
      assert.strictEqual(yield* Files.lineCount(paths["empty.txt"]!), 0)
      assert.strictEqual(yield* Files.lineCount(paths["crlf.txt"]!), 3)
    })
  )

  live(
    "byteCount is the size",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      for (const [name, content] of Object.entries(contents)) {
        assert.strictEqual(yield* Files.byteCount(paths[name]!), content.length, name)
        assert.strictEqual(fs.statSync(paths[name]!).size, content.length, name)
      }
    })
  )

  live(
    "sha256 is node:crypto's SHA-256 of the content, also for the same file twice at once",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      for (const [name, content] of Object.entries(contents)) {
        assert.strictEqual(yield* Files.sha256(paths[name]!), sha256Of(content), name)
      }
      const twice = [paths["binary.bin"]!, paths["binary.bin"]!, paths["lines.txt"]!]
      const outcomes = yield* collect(Files.processFiles(twice, Files.sha256, { concurrency: 3 }))
      // in whatever order they end
      assert.deepStrictEqual(
        outcomes.map((o) => Result.getOrThrow(Result.map(o, (r) => `${r.path} ${r.value}`))).sort(),
        [
          `${paths["binary.bin"]} ${sha256Of(contents["binary.bin"]!)}`,
          `${paths["binary.bin"]} ${sha256Of(contents["binary.bin"]!)}`,
          `${paths["lines.txt"]} ${sha256Of(contents["lines.txt"]!)}`
        ].sort()
      )
    })
  )

  live(
    "one sha256 effect run twice (a retry) gives the same digest both times",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      const digest = Files.sha256(paths["binary.bin"]!)
      assert.strictEqual(yield* digest, sha256Of(contents["binary.bin"]!))
      assert.strictEqual(yield* digest, sha256Of(contents["binary.bin"]!))
    })
  )

  live(
    "fold: a processor of one's own over the chunks",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      const zeroBytes = Files.fold(0, (n, chunk) => n + chunk.filter((b) => b === 0).length, (n) => `${n} zeros`)
      const binary = contents["binary.bin"]!
      assert.strictEqual(yield* zeroBytes(paths["binary.bin"]!), `${binary.filter((b) => b === 0).length} zeros`)
      assert.strictEqual(yield* zeroBytes(paths["empty.txt"]!), "0 zeros")
    })
  )

  live(
    "a missing file and a directory are FileUnreadable, in the results, while the others succeed",
    Effect.gen(function*() {
      const { dir, paths } = yield* withFiles(contents)
      const missing = path.join(dir, "missing.txt")
      const directory = path.join(dir, "sub")
      fs.mkdirSync(directory)
      for (const processor of [Files.lineCount, Files.byteCount, Files.sha256] as const) {
        const all = [...Object.values(paths), missing, directory]
        const outcomes = yield* collect(
          Files.processFiles<number | string, FileUnreadable, FileSystem.FileSystem>(all, processor, { concurrency: 3 })
        )
        assert.deepStrictEqual(outcomes.map(pathOf).sort(), [...all].sort())
        for (const bad of [missing, directory]) {
          const outcome = outcomes.find((o) => pathOf(o) === bad)!
          if (Result.isSuccess(outcome)) return assert.fail(`${bad} gave ${outcome.success.value}`)
          const error = outcome.failure
          assert.instanceOf(error, FileUnreadable)
          assert.strictEqual(error.path, bad)
          assert.isNotEmpty(error.reason)
        }
        assert.strictEqual(outcomes.filter(Result.isSuccess).length, Object.keys(paths).length)
      }
      const counts = yield* collect(Files.processFiles(Object.values(paths), Files.lineCount, { concurrency: 2 }))
      for (const [name, content] of Object.entries(contents)) {
        const outcome = counts.find((o) => pathOf(o) === paths[name])!
        assert.deepStrictEqual(Result.map(outcome, (r) => r.value), Result.succeed(newlines(content)), name)
      }
    })
  )

  live(
    "a file far larger than the processor's budget (one 64 KiB chunk): streamed, never held whole",
    Effect.gen(function*() {
      const dir = yield* tempDir
      const big = path.join(dir, "big.txt")
      // 64 MiB of 64-byte lines, written 1 MiB at a time; its hash computed as it is written
      const MiB = 1024 * 1024
      const block = new Uint8Array(MiB)
      for (let i = 0; i < MiB; i++) block[i] = i % 64 === 63 ? 10 : 97 + (i % 26)
      const blocks = 64
      const hash = crypto.createHash("sha256")
      const fd = fs.openSync(big, "w")
      try {
        for (let i = 0; i < blocks; i++) {
          block[0] = 65 + (i % 26) // each block a little different
          fs.writeSync(fd, block)
          hash.update(block)
        }
      } finally {
        fs.closeSync(fd)
      }
      const size = blocks * MiB
      assert.strictEqual(fs.statSync(big).size, size)

      // what a processor holds: one chunk at a time, each at most 64 KiB
      let largest = 0
      let chunks = 0
      const seen = yield* Files.fold(0, (bytes, chunk) => {
        largest = Math.max(largest, chunk.length)
        chunks++
        return bytes + chunk.length
      }, (bytes) => bytes)(big)
      assert.strictEqual(seen, size)
      assert.isAtMost(largest, 64 * 1024)
      assert.isAtLeast(chunks, size / (64 * 1024))
      assert.isAtLeast(size, 1024 * largest)

      assert.strictEqual(yield* Files.lineCount(big), size / 64)
      assert.strictEqual(yield* Files.byteCount(big), size)
      assert.strictEqual(yield* Files.sha256(big), hash.digest("hex"))
    }),
    60_000
  )

  live(
    "fold: each chunk is a buffer of its own, so a step may keep it",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      const kept = yield* Files.fold(
        [] as Array<Uint8Array>,
        (chunks, chunk) => [...chunks, chunk],
        (chunks) => chunks
      )(paths["binary.bin"]!)
      assert.isAbove(kept.length, 1)
      const joined = new Uint8Array(kept.reduce((n, chunk) => n + chunk.length, 0))
      kept.reduce((at, chunk) => {
        joined.set(chunk, at)
        return at + chunk.length
      }, 0)
      // compared whole, without a diff of 300 KB on failure
      assert.isTrue(Buffer.from(joined).equals(contents["binary.bin"]!), "the kept chunks are the file")
    })
  )

  live(
    "processFiles on real files: never more than `concurrency` processors at once",
    Effect.gen(function*() {
      const { paths } = yield* withFiles(contents)
      const probe = yield* ConcurrencyProbe.make
      const all = [...Object.values(paths), ...Object.values(paths)]
      const outcomes = yield* collect(
        Files.processFiles(all, (file) => probe.track(Files.sha256(file)), { concurrency: 2 })
      )
      assert.strictEqual(outcomes.length, all.length)
      assert.isTrue(outcomes.every(Result.isSuccess))
      assert.isAtMost(yield* probe.peak, 2)
      assert.strictEqual((yield* probe.snapshot).finished, all.length)
    })
  )
})

describe("Files.processFiles on virtual time", () => {
  it.effect("at most `concurrency` processors at once, and that many when there is work for them", () =>
    Effect.gen(function*() {
      const probe = yield* ConcurrencyProbe.make
      const durations = [5, 1, 3, 2, 8, 1, 1, 4, 2, 6]
      const all = durations.map((d, i) => `${i}:${d}`)
      const outcomes = yield* TestTime.run(collect(Files.processFiles(
        all,
        (file) => probe.track(Effect.as(Effect.sleep(`${Number(file.split(":")[1])} seconds`), file.length), file),
        { concurrency: 3 }
      )))
      assert.deepStrictEqual(
        outcomes.map((o) => Result.map(o, (r) => r.path)).map(Result.getOrThrow).sort(),
        [...all].sort()
      )
      assert.strictEqual(yield* probe.peak, 3)
      assert.strictEqual((yield* probe.snapshot).finished, all.length)
    }))

  it.effect("a processor's own failure is that path's outcome; the others go on", () =>
    Effect.gen(function*() {
      const outcomes = yield* collect(Files.processFiles(
        ["a", "bad", "c"],
        (file) => file === "bad" ? Effect.fail(`cannot ${file}`) : Effect.succeed(file.toUpperCase()),
        { concurrency: 2 }
      ))
      assert.deepStrictEqual(
        outcomes.map((o) => Result.map(o, (r) => [r.path, r.value])).sort(),
        [Result.succeed(["a", "A"]), Result.fail("cannot bad"), Result.succeed(["c", "C"])].sort()
      )
    }))

  it.effect("durationMillis is the processor's time", () =>
    Effect.gen(function*() {
      const outcomes = yield* TestTime.run(collect(Files.processFiles(
        ["a", "b"],
        (file) => Effect.sleep(file === "a" ? "2 seconds" : "5 seconds"),
        { concurrency: 2 }
      )))
      assert.deepStrictEqual(
        outcomes.map((o) => Result.getOrThrow(Result.map(o, (r) => [r.path, r.durationMillis]))).sort(),
        [
          ["a", 2000],
          ["b", 5000]
        ]
      )
    }))

  it.effect("outcomes come as each file ends: a slow first file does not hold back the others", () =>
    Effect.gen(function*() {
      const outcomes = yield* TestTime.run(collect(Files.processFiles(
        ["slow", "1", "2", "3"],
        (file) => Effect.sleep(file === "slow" ? "10 seconds" : `${Number(file)} seconds`),
        { concurrency: 4 }
      )))
      assert.deepStrictEqual(outcomes.map((o) => Result.map(o, (r) => r.path)), [
        Result.succeed("1"),
        Result.succeed("2"),
        Result.succeed("3"),
        Result.succeed("slow")
      ])
    }))

  it.effect("concurrency below 1 (or not an integer) fails InvalidOptions", () =>
    Effect.gen(function*() {
      for (const concurrency of [0, -1, 1.5, Number.NaN]) {
        const error = yield* Effect.flip(collect(Files.processFiles(["a"], Effect.succeed, { concurrency })))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual(error.field, "concurrency")
      }
    }))
})
