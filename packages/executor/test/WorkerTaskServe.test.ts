/**
 * `WorkerTask.serve` is an effect, and a task's services come from where it runs: the caller's
 * context inline, the layer `serve` builds once per worker thread on a WorkerPool.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { execFile } from "node:child_process"
import * as path from "node:path"
import { promisify } from "node:util"
import * as FiberPool from "../src/FiberPool.js"
import * as WorkerPool from "../src/WorkerPool.js"
import * as WorkerTask from "../src/WorkerTask.js"
import { cells } from "./fixtures/handshake.js"
import { layerBuilds, remember, secondServe, Tally, watch, where } from "./fixtures/services.js"
import { echo } from "./fixtures/stubbornLayer.js"
import { half } from "./fixtures/tasks.js"

const services = new URL("./fixtures/services.js", import.meta.url)

/** A Tally given by the caller, as a test of an inline run gives it. */
const callersTally = Layer.succeed(Tally, { builtOn: -1, build: 0, greeting: "from the caller", watchers: [] })

// Node 20 has Atomics.waitAsync; TypeScript's lib before es2024 does not declare it
const waitAsync = (Atomics as unknown as {
  readonly waitAsync: (array: Int32Array, index: number, value: number, timeout: number) => { readonly value: unknown }
}).waitAsync

/** Waits (up to 10 s) until `shared[0]` reaches `count`. */
const reaches = (shared: Int32Array, count: number) =>
  Effect.promise(async () => {
    const until = Date.now() + 10_000
    for (let now = Atomics.load(shared, 0); now < count && Date.now() < until; now = Atomics.load(shared, 0)) {
      await waitAsync(shared, 0, now, 100).value
    }
    return Atomics.load(shared, 0)
  })

describe("WorkerTask.serve on the main thread", () => {
  it.effect("succeeds at once and builds nothing: the module was imported for its tasks", () =>
    Effect.gen(function*() {
      // this file imported services.js, which ran `serve([...], { layer: TallyLive })` at load
      assert.strictEqual(layerBuilds(), 0)
      const dies = Layer.effectDiscard(Effect.die("a layer built on the main thread"))
      assert.isUndefined(yield* WorkerTask.serve([where], { layer: Layer.provideMerge(callersTally, dies) }))
      assert.isTrue(Exit.isSuccess(Effect.runSyncExit(WorkerTask.serve([half]))), "no suspension, no failure")
      assert.strictEqual(layerBuilds(), 0)
    }))

  it("a process that imports worker modules exits by itself: no serving, no handle left", async () => {
    const script = path.join(__dirname, "fixtures", "importsOnMain.ts")
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
      cwd: path.join(__dirname, ".."),
      timeout: 60_000
    })
    assert.strictEqual(stdout.trim(), "layer builds 0; resources []")
  }, 90_000)
})

describe("task services", { timeout: 60_000, concurrent: false }, () => {
  it.live("inline, a call requires its task's services from the caller", () =>
    Effect.gen(function*() {
      const inline: Effect.Effect<unknown, unknown, Tally> = where()
      // @ts-expect-error: run inline, `where` needs a Tally
      const missing: Effect.Effect<unknown, unknown, never> = where()
      assert.isDefined(missing)
      const here = yield* Effect.provide(where(), callersTally)
      assert.deepStrictEqual(here, { threadId: 0, builtOn: -1, build: 0, greeting: "from the caller" })
      // a FiberPool runs calls inline: the caller's services, again
      const onFibers = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2 })
        return yield* pool.map([1, 2], () => where())
      })).pipe(Effect.provide(callersTally))
      assert.deepStrictEqual(onFibers.map((w) => w.builtOn), [-1, -1])
      assert.isDefined(inline)
    }))

  it.live("on a WorkerPool, the worker's layer provides them: built in the worker, once per worker", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: services, concurrency: 2, initializer: remember("hello") })
      // no Tally required of the main thread
      const onWorkers: Effect.Effect<Array<typeof where.success.Type>, unknown, never> = pool.map(
        Array.from({ length: 40 }, (_, i) => i),
        () => where()
      )
      const seen = yield* onWorkers
      const future = yield* pool.submit(where())
      seen.push(yield* future.result)
      for (const w of seen) {
        assert.notStrictEqual(w.threadId, 0, "ran on a worker thread")
        assert.strictEqual(w.builtOn, w.threadId, "the Tally was built by the worker that ran the task")
        assert.strictEqual(w.build, 1, "one build per worker, however many tasks")
        // the initializer ran with the layer's services, before the tasks
        assert.strictEqual(w.greeting, "hello")
      }
      // 41 tasks on at most 2 threads: a thread ran many, on the one Tally it built
      const perThread = new Map<number, number>()
      for (const w of seen) perThread.set(w.threadId, (perThread.get(w.threadId) ?? 0) + 1)
      assert.isTrue(perThread.size <= 2 && Math.max(...perThread.values()) > 1)
    })))

  it.live("the layer is released when the pool ends its worker: retired, or the pool closed", () => {
    const released = cells()
    return Effect.gen(function*() {
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: services, concurrency: 1, maxTasksPerWorker: 2 })
        // two tasks per worker: the first worker retires after these, and its layer is released
        yield* pool.map([1, 2], () => watch(released))
        assert.strictEqual(yield* reaches(released, 1), 1)
        const next = yield* pool.map([1, 2], () => where())
        assert.deepStrictEqual(next.map((w) => w.build), [1, 1], "the replacement built its own")
        yield* pool.submit(watch(released))
      }))
      // the scope closed: the last worker released its layer before the close returned
      assert.strictEqual(Atomics.load(released, 0), 2)
    })
  })

  it.live("a layer that fails to build fails the start with WorkerSpawnFailed, naming the cause", () =>
    Effect.gen(function*() {
      const failed = yield* Effect.flip(Effect.scoped(WorkerPool.make({
        module: new URL("./fixtures/brokenLayer.js", import.meta.url),
        concurrency: 1
      })))
      assert.strictEqual(failed._tag, "WorkerSpawnFailed")
      assert.match(failed.message, /the layer failed/)
      assert.match(failed.message, /NoDatabase/)
    }))

  it.live("a layer that does not finish in spawnTimeout fails the start, saying so", () =>
    Effect.gen(function*() {
      const failed = yield* Effect.flip(Effect.scoped(WorkerPool.make({
        module: new URL("./fixtures/hangingLayer.js", import.meta.url),
        concurrency: 1,
        spawnTimeout: "2 seconds"
      })))
      assert.strictEqual(failed._tag, "WorkerSpawnFailed")
      assert.match(failed.message, /its serve layer or initializer did not finish within 2s/)
    }))

  it.live("a layer whose release hangs does not hold the close: the worker is terminated after spawnTimeout", () =>
    Effect.gen(function*() {
      const started = Date.now()
      let closing = 0
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: new URL("./fixtures/stubbornLayer.js", import.meta.url),
          concurrency: 1,
          // (a worker thread loads tsx and effect: under load its start took over 2 s once)
          spawnTimeout: "5 seconds"
        })
        assert.deepStrictEqual(yield* pool.map([1, 2], (n) => echo(n)), [1, 2])
        closing = Date.now()
      }))
      const closed = Date.now() - closing
      assert.isTrue(closed >= 4900 && closed < 15_000, `closed in ${closed} ms (started ${closing - started} ms in)`)
    }))

  it.live("a serve run in a worker that serves already dies; the one serving goes on", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: services, concurrency: 1 })
      const second = yield* (yield* pool.submit(secondServe())).result
      assert.match(second, /WorkerTask\.serve runs already in this worker thread/)
      assert.strictEqual((yield* (yield* pool.submit(where())).result).build, 1)
    })))

  it("serve's type requires every served task's services, unless its layer provides them", () => {
    const served: Effect.Effect<void> = WorkerTask.serve([where, half], { layer: callersTally })
    const needsTally: Effect.Effect<void, never, Tally> = WorkerTask.serve([where, half])
    // @ts-expect-error: `where` needs a Tally, and no layer gives it
    const unserved: Effect.Effect<void> = WorkerTask.serve([where])
    assert.isTrue(Effect.isEffect(served) && Effect.isEffect(needsTally) && Effect.isEffect(unserved))
  })
})
