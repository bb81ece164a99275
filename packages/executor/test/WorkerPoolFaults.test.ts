import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Schema } from "effect"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { promisify } from "node:util"
import * as WorkerPool from "../src/WorkerPool.js"
import * as WorkerTask from "../src/WorkerTask.js"
import { cells, how, release, started } from "./fixtures/handshake.js"
import { eventually } from "./fixtures/steering.js"
import { crash, half, hold, touch, whoAmI } from "./fixtures/tasks.js"

const tasks = new URL("./fixtures/tasks.js", import.meta.url)

describe("WorkerPool faults", { timeout: 60_000 }, () => {
  it.live(
    "a crashing worker fails only its own task with WorkerCrashed and is replaced",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: tasks,
          concurrency: 2,
          resourceLimits: { maxOldGenerationSizeMb: 32 }
        })
        const before = new Set((yield* pool.map([1, 2, 3, 4, 5, 6], () => whoAmI())).map((w) => w.threadId))
        for (const kind of ["exit", "uncaught", "oom"] as const) {
          const futures = yield* Effect.forEach(
            [half(2), crash(kind), half(4), half(5), half(6)] as ReadonlyArray<Effect.Effect<unknown, unknown>>,
            (call) => pool.submit(call)
          )
          const exits = yield* Effect.forEach(futures, (future) => future.await)
          assert.deepStrictEqual(exits.map(how), ["success", "WorkerCrashed", "success", "Odd", "success"], kind)
          const crashed = yield* Effect.flip(futures[1]!.result)
          assert.match(String((crashed as Error).message), /crashed/)
        }
        const after = new Set((yield* pool.map([1, 2, 3, 4, 5, 6], () => whoAmI())).map((w) => w.threadId))
        assert.isTrue([...after].some((id) => !before.has(id)), "new threads replaced the crashed ones")
        // a replacement counts once it serves (the map may have run on the other worker)
        yield* eventually("two threads serve", Effect.map(pool.threadCount, (n) => n === 2))
      })),
    120_000
  )

  it.live(
    "cancelling a running task terminates its worker, and a replacement serves the next",
    () => {
      const handshake = cells() // released only if the test fails: terminating the worker must stop it
      return Effect.scoped(
        Effect.gen(function*() {
          const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
          const first = (yield* (yield* pool.submit(whoAmI())).result).threadId
          const running = yield* pool.submit(hold(handshake))
          const next = yield* pool.submit(whoAmI())
          yield* started(handshake)
          assert.isTrue(yield* running.isRunning)
          assert.isTrue(yield* running.cancel)
          assert.strictEqual(how(yield* running.await), "FutureCancelled")
          // the call queued behind it runs on the replacement
          const second = (yield* next.result).threadId
          assert.notStrictEqual(second, first)
        }).pipe(Effect.tapCause(() => release(handshake)))
      )
    },
    60_000
  )

  // The worker has run the call and posted its reply, which the main thread (busy here) has not
  // read yet: the call is finished. `cancel` answered true and turned its result into
  // FutureCancelled; it answers false now, and the future keeps the result.
  it.live("cancel of a call that has finished on its worker answers false and keeps its result", () => {
    const handshake = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
        const future = yield* pool.submit(hold(handshake))
        yield* started(handshake)
        yield* release(handshake)
        // the main thread stays busy while the worker returns and posts its reply
        yield* Effect.sync(() => {
          const until = Date.now() + 300
          while (Date.now() < until) {
            // busy: the reply waits in the port
          }
        })
        assert.isFalse(yield* future.cancel)
        assert.strictEqual(how(yield* future.await), "success")
        assert.isFalse(yield* future.isCancelled)
      }).pipe(Effect.ensuring(release(handshake)))
    )
  }, 60_000)

  it.live("payloads that cannot be cloned give their places back: no call is left behind", () => {
    const handshake = cells()
    const proof = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
        const bad = () => touch({ cells: () => proof, index: 0 })
        // two that cannot be sent, then one that can: the good one must still be sent
        const first = yield* Effect.forEach(
          [bad(), bad(), touch({ cells: proof, index: 1 })],
          (call) => pool.submit(call)
        )
        assert.deepStrictEqual(
          yield* Effect.forEach(first, (f) => Effect.map(f.await, how)),
          ["defect", "defect", "success"]
        )
        // many failed sends while a task runs must not hand its cell to another call
        const running = yield* pool.submit(hold(handshake))
        yield* started(handshake)
        for (let i = 0; i < 70; i++) {
          assert.strictEqual(how(yield* (yield* pool.submit(bad())).await), "defect")
        }
        const after = yield* pool.submit(touch({ cells: proof, index: 2 }))
        yield* release(handshake)
        assert.strictEqual(how(yield* running.await), "success")
        assert.strictEqual(how(yield* after.await), "success")
        assert.deepStrictEqual([...proof].slice(0, 3), [0, 1, 1])
      }).pipe(Effect.ensuring(release(handshake)))
    )
  }, 60_000)

  it.live("maxTasksPerWorker replaces a worker after that many tasks", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxTasksPerWorker: 2 })
      const threads = yield* pool.map([1, 2, 3, 4, 5, 6], () => whoAmI())
      const ids = threads.map((w) => w.threadId)
      assert.strictEqual(ids[0], ids[1])
      assert.strictEqual(ids[2], ids[3])
      assert.strictEqual(ids[4], ids[5])
      assert.strictEqual(new Set(ids).size, 3)
    })), 60_000)

  it.live(
    "the initializer runs in every worker before its tasks; a failing one fails the start",
    () =>
      Effect.gen(function*() {
        const { greet } = yield* Effect.promise(() => import("./fixtures/tasks.js"))
        const greetings = yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, initializer: greet("hello") })
          return yield* pool.map([1, 2, 3, 4], () => whoAmI())
        }))
        assert.deepStrictEqual(greetings.map((w) => w.greeting), ["hello", "hello", "hello", "hello"])
        const failed = yield* Effect.flip(
          Effect.scoped(WorkerPool.make({ module: tasks, concurrency: 1, initializer: greet("fail") }))
        )
        assert.strictEqual(failed._tag, "WorkerSpawnFailed")
        assert.match(failed.message, /initializer failed/)
      }),
    60_000
  )

  it.live(
    "a worker that cannot start fails WorkerSpawnFailed: missing module, or serve not run within the timeout",
    () =>
      Effect.gen(function*() {
        const missing = yield* Effect.flip(Effect.scoped(WorkerPool.make({
          module: new URL("./fixtures/missing.js", import.meta.url),
          concurrency: 1
        })))
        assert.strictEqual(missing._tag, "WorkerSpawnFailed")
        assert.match(missing.message, /missing/)
        const silent = yield* Effect.flip(Effect.scoped(WorkerPool.make({
          module: new URL("./fixtures/silent.js", import.meta.url),
          concurrency: 1,
          spawnTimeout: "3 seconds"
        })))
        assert.strictEqual(silent._tag, "WorkerSpawnFailed")
        assert.match(silent.message, /did not run WorkerTask\.serve within 3s/)
      }),
    60_000
  )

  it("a task without a failure schema cannot fail with a typed error (it could not cross threads)", () => {
    const declare = () =>
      // @ts-expect-error: a typed failure needs a `failure` schema
      WorkerTask.make("typed", {
        payload: Schema.Number,
        success: Schema.Number,
        run: (n: number) => (n > 0 ? Effect.succeed(n) : Effect.fail(new Error("negative")))
      })
    assert.isFunction(declare)
  })

  it.effect("bad options fail InvalidOptions", () =>
    Effect.gen(function*() {
      const size = yield* Effect.flip(Effect.scoped(WorkerPool.make({ module: tasks, concurrency: 0 })))
      assert.strictEqual(size._tag, "InvalidOptions")
      const max = yield* Effect.flip(Effect.scoped(WorkerPool.make({ module: tasks, maxTasksPerWorker: 1.5 })))
      assert.strictEqual(max._tag, "InvalidOptions")
      const relative = yield* Effect.flip(Effect.scoped(WorkerPool.make({ module: "fixtures/tasks.js" })))
      assert.strictEqual(relative._tag, "WorkerSpawnFailed")
      // not a duration at all: bad input too, not a defect (it was one)
      for (const spawnTimeout of ["soon", -1, "-5 seconds"]) {
        const timeout = yield* Effect.flip(
          Effect.scoped(WorkerPool.make({ module: tasks, concurrency: 1, spawnTimeout: spawnTimeout as "1 second" }))
        )
        assert.strictEqual(timeout._tag, "InvalidOptions", String(spawnTimeout))
      }
    }))

  it.live(
    "shutdown: submit fails PoolShutDown; cancelFutures cancels the waiting calls; workers end",
    () => {
      const handshake = cells()
      return Effect.scoped(
        Effect.gen(function*() {
          const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
          const running = yield* pool.submit(hold(handshake))
          const waiting = yield* Effect.forEach([2, 4, 6, 8], (n) => pool.submit(half(n)))
          yield* started(handshake)
          const shutdown = yield* Effect.forkChild(pool.shutdown({ cancelFutures: true }))
          yield* Effect.yieldNow // the shutdown starts: the pool is closed
          assert.strictEqual((yield* Effect.flip(pool.submit(half(2))))._tag, "PoolShutDown")
          yield* release(handshake)
          yield* Fiber.await(shutdown)
          assert.isTrue(Exit.isSuccess(yield* running.await))
          // at most the one sent ahead to the worker ran; the rest were cancelled
          const ends = yield* Effect.forEach(waiting, (future) => Effect.map(future.await, how))
          assert.isTrue(ends.filter((end) => end === "FutureCancelled").length >= 3, ends.join())
          assert.strictEqual(yield* pool.threadCount, 0)
        }).pipe(Effect.ensuring(release(handshake)))
      )
    },
    60_000
  )

  it("a program that closes its pool exits by itself: no thread or handle is left", async () => {
    const script = path.join(__dirname, "fixtures", "exits.ts")
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
      cwd: path.join(__dirname, ".."),
      timeout: 60_000
    })
    assert.strictEqual(stdout.trim(), "closed after 1,2,3,4")
  }, 90_000)
})
