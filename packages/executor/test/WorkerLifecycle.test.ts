/**
 * Regression tests (from a review; each failed before) for the life of a worker's `serve` layer:
 * built once per worker, released whenever the pool ends a worker whose `serve` runs — retired,
 * the pool closed, its start given up (initializer still running, or failed) — and the pool's
 * close returns once every thread has ended (each at the latest `spawnTimeout` after it was asked
 * to close), retiring ones included. Also: a retiring worker's queued calls can be stolen.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as os from "node:os"
import * as path from "node:path"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release as letGo, started } from "./fixtures/handshake.js"
import { configure, failInit, ping, readLog, slowInit } from "./fixtures/lifecycle.js"
import { hold, touch } from "./fixtures/tasks.js"

const lifecycle = new URL("./fixtures/lifecycle.js", import.meta.url)
const tasks = new URL("./fixtures/tasks.js", import.meta.url)

let runs = 0
/** A fresh log file, named in the environment the next workers copy. */
const freshLog = (): string => {
  const file = path.join(os.tmpdir(), `fiberkit-lifecycle-${process.pid}-${Date.now()}-${runs++}.log`)
  process.env.LIFECYCLE_LOG = file
  return file
}

const count = (lines: ReadonlyArray<string>, what: string) => lines.filter((line) => line.startsWith(`${what} `)).length

/** Waits (up to 15 s) until the log has `n` lines of `what`. */
const untilLogged = (file: string, what: string, n: number) =>
  Effect.gen(function*() {
    const until = Date.now() + 15_000
    while (count(readLog(file), what) < n && Date.now() < until) yield* Effect.sleep("50 millis")
  })

describe("the life of a worker's serve layer", { timeout: 30_000, concurrent: false }, () => {
  // failed before: a retired worker left its slot before its close finished, and the pool's close
  // waited only for the threads in a slot; it returned while that layer's release still ran
  it.live("close returns once every thread has ended: a retired worker still releasing its layer too", () =>
    Effect.gen(function*() {
      const log = freshLog()
      const closedIn = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: lifecycle,
          concurrency: 1,
          maxTasksPerWorker: 1,
          spawnTimeout: "10 seconds"
        })
        // the one task of the first worker: its layer's release will take 3 s; it then retires
        yield* (yield* pool.submit(configure({ releaseMs: 3000, releaseMode: "ok" }))).result
        // the replacement is up (its release is instant)
        yield* (yield* pool.submit(ping(1))).result
        return Date.now()
      })).pipe(Effect.map((startedClosing) => Date.now() - startedClosing))
      const lines = readLog(log)
      // every layer built was released before the close returned
      assert.strictEqual(
        count(lines, "release"),
        count(lines, "build"),
        `close returned after ${closedIn} ms; log: ${JSON.stringify(lines)}`
      )
    }))

  // failed before: an idle worker stole only from `ready` workers, so the call waited for `hold`
  it.live("a retiring worker's call queued behind a long task is taken by an idle worker", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxTasksPerWorker: 2 })
      const held = cells()
      const touched = cells()
      // worker 0 runs `hold` until released
      const long = yield* pool.submit(hold(held))
      yield* started(held)
      // one call to each worker: the one sent to worker 0 waits behind `hold`, and worker 0 has
      // now taken its 2 tasks (it retires once they are answered)
      const a = yield* pool.submit(touch({ cells: touched, index: 0 }))
      const b = yield* pool.submit(touch({ cells: touched, index: 1 }))
      // worker 1 finishes its call and is idle: it should take the one queued behind `hold`
      const both = yield* Effect.timeoutOption(Effect.all([a.result, b.result]), "3 seconds")
      const seen = [Atomics.load(touched, 0), Atomics.load(touched, 1)]
      yield* letGo(held)
      yield* long.result
      assert.isTrue(both._tag === "Some", `after 3 s with worker 1 idle: touched = [${seen.join(", ")}]`)
    })))

  // failed before: a worker still starting (its initializer running) was terminated without CLOSE,
  // though its serve had built its layer
  it.live("the pool's scope closed while a worker's initializer runs: the layer it built is released", () =>
    Effect.gen(function*() {
      const log = freshLog()
      const exit = yield* Effect.exit(Effect.timeout(
        Effect.scoped(WorkerPool.make({ module: lifecycle, concurrency: 1, initializer: slowInit(10_000) })),
        "2 seconds"
      ))
      assert.isTrue(Exit.isFailure(exit))
      yield* Effect.sleep("500 millis")
      const lines = readLog(log)
      assert.strictEqual(count(lines, "build"), 1, JSON.stringify(lines))
      assert.strictEqual(count(lines, "init"), 1, JSON.stringify(lines))
      assert.strictEqual(count(lines, "release"), 1, `the layer built was never released: ${JSON.stringify(lines)}`)
    }))

  // failed before: serve did not end after its initializer failed, and the pool terminated the
  // worker without CLOSE
  it.live("an initializer that fails: the worker does not start, and the layer it built is released", () =>
    Effect.gen(function*() {
      const log = freshLog()
      const failed = yield* Effect.flip(
        Effect.scoped(WorkerPool.make({ module: lifecycle, concurrency: 1, initializer: failInit() }))
      )
      assert.strictEqual(failed._tag, "WorkerSpawnFailed")
      yield* Effect.sleep("500 millis")
      const lines = readLog(log)
      assert.strictEqual(count(lines, "build"), 1, JSON.stringify(lines))
      assert.strictEqual(count(lines, "release"), 1, `the layer built was never released: ${JSON.stringify(lines)}`)
    }))

  // failed before: the replacement, still starting, was terminated without CLOSE when the pool closed
  it.live("retirement while the pool closes: the replacement, still starting, releases the layer it built", () =>
    Effect.gen(function*() {
      const log = freshLog()
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: lifecycle,
          concurrency: 1,
          maxTasksPerWorker: 1,
          initializer: slowInit(3000)
        })
        // after the 3 s initializer of the first worker
        yield* (yield* pool.submit(ping(1))).result
        // the first worker retires; its replacement builds its layer, then runs the 3 s initializer:
        // the scope closes while it does
        yield* untilLogged(log, "init", 2)
      }))
      yield* Effect.sleep("500 millis")
      const lines = readLog(log)
      assert.strictEqual(count(lines, "build"), 2, JSON.stringify(lines))
      assert.strictEqual(count(lines, "release"), 2, `a layer built was never released: ${JSON.stringify(lines)}`)
    }))
})
