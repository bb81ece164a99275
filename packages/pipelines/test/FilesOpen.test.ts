/**
 * What the file processors open: regular files only (a FIFO would block the open until a writer
 * comes), and interruptibly (an open that does not return must not hold its fiber).
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Result, Stream } from "effect"
import * as FileSystem from "effect/FileSystem"
import * as childProcess from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { FileUnreadable } from "../src/Errors.js"
import * as Files from "../src/Files.js"

/** A fresh directory, removed afterwards. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-pipelines-open-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/**
 * Opens the FIFO for writing and closes it at once, if a reader is blocked in its open: the
 * reader's open then returns and it reads an empty file. Without a reader, nothing happens
 * (`ENXIO`).
 */
const unblock = (fifo: string) => {
  try {
    fs.closeSync(fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK))
  } catch {
    // no reader
  }
}

describe("Files: what the processors open", () => {
  it.live(
    "a FIFO among the paths is FileUnreadable (not a regular file) at once; the others are read",
    () =>
      Effect.gen(function*() {
        const dir = yield* tempDir
        const fifo = path.join(dir, "pipe")
        childProcess.execFileSync("mkfifo", [fifo])
        const file = path.join(dir, "lines.txt")
        fs.writeFileSync(file, "a\nb\n")
        // a watchdog, so that a processor blocked in the FIFO's open (the defect) fails this test
        // instead of hanging it; it asserts nothing about time
        const watchdog = yield* Effect.forkChild(Effect.delay(Effect.sync(() => unblock(fifo)), "5 seconds"))
        for (const processor of [Files.lineCount, Files.byteCount, Files.sha256] as const) {
          const outcomes = yield* Files.processFiles<number | string, FileUnreadable, FileSystem.FileSystem>(
            [fifo, file],
            processor,
            { concurrency: 2 }
          ).pipe(Stream.runCollect)
          const ofFifo = outcomes.find((o) => (Result.isSuccess(o) ? o.success.path : o.failure.path) === fifo)
          assert.isDefined(ofFifo)
          if (Result.isSuccess(ofFifo!)) return assert.fail(`the FIFO gave ${ofFifo.success.value}`)
          assert.instanceOf(ofFifo.failure, FileUnreadable)
          assert.strictEqual(ofFifo.failure.path, fifo)
          assert.match(ofFifo.failure.reason, /not a regular file \(FIFO\)/)
          assert.strictEqual(outcomes.filter(Result.isSuccess).length, 1)
        }
        yield* Fiber.interrupt(watchdog)
      }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer)),
    30_000
  )

  it.effect("an open that does not return is interrupted at once; the file it opens later is closed", () =>
    Effect.gen(function*() {
      const opening = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      let closed = 0
      // a regular file whose open waits for `gate`, as an open of a FIFO waits for a writer: an
      // uninterruptible acquisition, as the platform's `open` is
      const fileSystem = FileSystem.makeNoop({
        stat: () => Effect.succeed({ type: "File" } as FileSystem.File.Info),
        open: () =>
          Effect.acquireRelease(
            Effect.andThen(Deferred.succeed(opening, undefined), Deferred.await(gate)),
            () => Effect.sync(() => closed++)
          ).pipe(Effect.as({} as FileSystem.File))
      })
      const reader = yield* Effect.forkChild(
        Files.lineCount("slow-to-open").pipe(Effect.provideService(FileSystem.FileSystem, fileSystem))
      )
      yield* Deferred.await(opening)
      const interrupter = yield* Effect.forkChild(Fiber.interrupt(reader))
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      const interrupted = interrupter.pollUnsafe() !== undefined
      // the open returns: the file is closed at once, its reader gone
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.await(interrupter)
      for (let i = 0; i < 10; i++) yield* Effect.yieldNow
      assert.isTrue(interrupted, "the interruption waited for the open")
      assert.strictEqual(closed, 1)
    }))
})
