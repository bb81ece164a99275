import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import * as Errors from "../src/Errors.js"
import type * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, isInterrupted, release, started } from "./fixtures/handshake.js"
import { sharedPool } from "./fixtures/sharedPool.js"
import {
  executorError,
  explode,
  half,
  hold,
  Meeting,
  postpone,
  touch,
  unclonable,
  undeclared,
  whoAmI
} from "./fixtures/tasks.js"

const tasks = new URL("./fixtures/tasks.js", import.meta.url)

// Real threads answer in real time: these tests run live, one after another, on one pool of two
// workers (some assert that the pool is idle, or keep both workers busy).
describe("WorkerPool", { timeout: 60_000, concurrent: false }, () => {
  const Shared = sharedPool(2)

  it.live("runs calls on worker threads; results in input order", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      assert.deepStrictEqual(yield* pool.map([2, 4, 6, 8, 10], (n) => half(n)), [1, 2, 3, 4, 5])
      const future = yield* pool.submit(half(42))
      assert.strictEqual(yield* future.result, 21)
      const where = yield* pool.map([1, 2, 3, 4], () => whoAmI())
      assert.isTrue(where.every(({ threadId }) => threadId !== 0), "ran off the main thread")
    }))

  it.live("a task's typed failure fails only its own future, as itself", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const futures = yield* Effect.forEach([2, 3, 4], (n) => pool.submit(half(n)))
      const exits = yield* Effect.forEach(futures, (future) => future.await)
      assert.deepStrictEqual(exits.map(how), ["success", "Odd", "success"])
      const error = yield* Effect.flip(futures[1]!.result)
      assert.strictEqual(error._tag, "Odd")
      assert.strictEqual((error as { readonly n: number }).n, 3)
      // `map` fails with the first failure
      assert.strictEqual((yield* Effect.flip(pool.map([2, 5, 6], (n) => half(n))))._tag, "Odd")
    }))

  it.live("the package's own errors cross the thread as instances of their class, tag, fields and message kept", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const fail = (tag: Parameters<typeof executorError>[0]) =>
        Effect.flip(Effect.flatMap(pool.submit(executorError(tag)), (future) => future.result))
      // PoolShutDown and FutureCancelled come from a FiberPool the task used in its worker
      const shutDown = yield* fail("PoolShutDown")
      assert.instanceOf(shutDown, Errors.PoolShutDown)
      assert.strictEqual(shutDown.message, "the pool is shut down: it accepts no new task")
      const cancelled = yield* fail("FutureCancelled")
      assert.instanceOf(cancelled, Errors.FutureCancelled)
      assert.strictEqual(cancelled.message, "the future was cancelled")
      const crashed = yield* fail("WorkerCrashed")
      assert.instanceOf(crashed, Errors.WorkerCrashed)
      assert.instanceOf(crashed, Error)
      const { reason, task } = crashed as Errors.WorkerCrashed
      assert.strictEqual(task, "inner")
      assert.match(reason, /^exited with code [1-9]\d*$/, "the worker's thread id: made there")
      assert.strictEqual(crashed.message, `the worker thread running task "inner" crashed: ${reason}`)
      const spawn = yield* fail("WorkerSpawnFailed")
      assert.instanceOf(spawn, Errors.WorkerSpawnFailed)
      assert.deepStrictEqual(
        { ...(spawn as Errors.WorkerSpawnFailed) },
        { _tag: "WorkerSpawnFailed", module: "inner.js", reason: "no such file" }
      )
      // catchTag sees them as before
      const caught = yield* pool.submit(executorError("WorkerCrashed")).pipe(
        Effect.flatMap((future) => future.result),
        Effect.catchTag("WorkerCrashed", (e) => Effect.succeed(e.task))
      )
      assert.strictEqual(caught, "inner")
    }))

  it.live("a thrown error arrives as a defect with its name and message", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const exit = yield* (yield* pool.submit(explode("no good"))).await
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      const defect = Cause.squash((exit as Exit.Failure<unknown, unknown>).cause) as Error
      assert.strictEqual(defect.name, "TypeError")
      assert.strictEqual(defect.message, "no good")
    }))

  it.live("a payload that cannot be cloned fails only its own call, as a defect", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const proof = cells()
      const futures = yield* Effect.forEach(
        [touch({ cells: proof, index: 0 }), touch({ cells: () => proof, index: 1 }), touch({ cells: proof, index: 2 })],
        (call) => pool.submit(call)
      )
      const exits = yield* Effect.forEach(futures, (future) => future.await)
      assert.deepStrictEqual(exits.map(how), ["success", "defect", "success"])
      assert.deepStrictEqual([...proof].slice(0, 3), [1, 0, 1])
    }))

  it.live("a result that cannot be cloned fails its call as a defect; the worker lives on", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const before = yield* pool.threadCount
      const exit = yield* (yield* pool.submit(unclonable())).await
      assert.strictEqual(how(exit), "defect")
      assert.deepStrictEqual(yield* pool.map([2, 4], (n) => half(n)), [1, 2])
      assert.strictEqual(yield* pool.threadCount, before)
    }))

  // Regression (outside review of the Effect 4 port): a Struct of plain fields skipped Schema on
  // the way back, so a field the schema does not declare crossed as it was (a function: a
  // DataCloneError). A value crosses as its schema says: undeclared fields are dropped.
  it.live("a result with a field its schema does not declare arrives as the schema says", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const results = yield* pool.map([1, 2], (n) => undeclared(n))
      assert.deepStrictEqual(results, [{ n: 1 }, { n: 2 }])
    }))

  it.live("map: a function that throws fails the map as a defect and cancels the rest", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      // past the first window of calls, so the throw happens while results come back
      const exit = yield* Effect.exit(pool.map(Array.from({ length: 300 }, (_, i) => i * 2), (n, i) => {
        if (i === 250) throw new Error("bad item")
        return half(n)
      }))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      assert.strictEqual(yield* pool.running, 0)
      assert.strictEqual(yield* pool.pending, 0)
    }))

  it.live("a fiber that outlives its task and calls after the pool ended is interrupted", () =>
    Effect.gen(function*() {
      const go = yield* Deferred.make<void>()
      const late = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
        const future = yield* pool.submit(Effect.forkDetach(Effect.andThen(Deferred.await(go), half(2))))
        return yield* future.result
      }))
      yield* Deferred.succeed(go, undefined)
      const exit = yield* Fiber.await(late)
      assert.isTrue(isInterrupted(exit))
    }))

  it.live("class instances and Dates cross the thread boundary as themselves", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const meeting = new Meeting({ title: "review", at: new Date("2026-03-01T10:00:00Z") })
      const later = yield* (yield* pool.submit(postpone(meeting))).result
      assert.instanceOf(later, Meeting)
      assert.instanceOf(later.at, Date)
      assert.strictEqual(later.year, 2027)
      assert.strictEqual(later.title, "review")
    }))

  it.live("an effect that is not a call runs on the main thread; the calls it makes run on the workers", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const future = yield* pool.submit(
        Effect.gen(function*() {
          const a = yield* half(8)
          const b = yield* whoAmI()
          return [a, b.threadId] as const
        })
      )
      const [value, threadId] = yield* future.result
      assert.strictEqual(value, 4)
      assert.notStrictEqual(threadId, 0)
    }))

  it.live("the same call sites run on a FiberPool and on a WorkerPool (the Executor interface)", () =>
    Effect.gen(function*() {
      const halves = (executor: Executor.Executor) => executor.map([2, 4, 6], (n) => half(n))
      const onWorkers = yield* halves(yield* Shared)
      const onFibers = yield* Effect.scoped(Effect.flatMap(FiberPool.make({ concurrency: 2 }), halves))
      assert.deepStrictEqual(onWorkers, [1, 2, 3])
      assert.deepStrictEqual(onFibers, onWorkers)
      // and inline, on the current thread
      assert.strictEqual((yield* whoAmI()).threadId, 0)
    }))

  it.live("a call queued on a busy worker and cancelled is skipped; the worker is not replaced", () => {
    const handshake = cells()
    const other = cells()
    const proof = cells()
    return Effect.gen(function*() {
      const pool = yield* Shared
      // both workers busy, so the next calls queue
      const busy = yield* Effect.forEach([handshake, other], (shared) => pool.submit(hold(shared)))
      yield* started(handshake)
      yield* started(other)
      const queued = yield* pool.submit(touch({ cells: proof, index: 0 }))
      assert.isTrue(yield* queued.cancel)
      assert.strictEqual(how(yield* queued.await), "FutureCancelled")
      yield* release(handshake)
      yield* release(other)
      const threads = yield* Effect.forEach(busy, (future) => future.result)
      // the skipped call never ran; the workers go on
      yield* pool.map([2, 4, 6, 8], (n) => half(n))
      assert.strictEqual(Atomics.load(proof, 0), 0)
      assert.strictEqual(yield* pool.threadCount, 2)
      const after = yield* pool.map([1, 2, 3, 4, 5, 6], () => whoAmI())
      assert.isTrue(after.every(({ threadId }) => threads.includes(threadId)), "same threads as before")
    }).pipe(Effect.ensuring(Effect.andThen(release(handshake), release(other))))
  })

  it.live("a long task does not hold up the calls queued behind it: the idle worker takes them", () => {
    const handshake = cells()
    const proof = new Int32Array(new SharedArrayBuffer(16 * Int32Array.BYTES_PER_ELEMENT))
    return Effect.gen(function*() {
      const pool = yield* Shared
      yield* pool.map(Array.from({ length: 100 }, (_, i) => i * 2), (n) => half(n)) // short tasks: deep queues
      const long = yield* pool.submit(hold(handshake))
      const quick = yield* Effect.forEach(proof, (_, index) => pool.submit(touch({ cells: proof, index })))
      yield* started(handshake)
      // every quick call ends while the long one still runs
      yield* Effect.forEach(quick, (future) => future.result)
      assert.deepStrictEqual([...proof], [...proof].map(() => 1))
      assert.isTrue(yield* long.isRunning)
      yield* release(handshake)
      yield* long.result
    }).pipe(Effect.ensuring(release(handshake)))
  })

  it.live.prop(
    "every submitted call ends once, as its own success or failure or cancelled; the pool is idle after",
    [Gen.array(
      Gen.record({
        n: Gen.integer({ min: 0, max: 99 }),
        cancel: Gen.constantFrom("no", "at once", "after the previous ended")
      }),
      { maxLength: 40 }
    )],
    ([specs]) =>
      Effect.gen(function*() {
        const pool = yield* Shared
        const ends = new Map<number, number>()
        const futures = yield* Effect.forEach(specs, (spec) => pool.submit(half(spec.n)))
        yield* Effect.forEach(futures, (future) =>
          future.onDone(() => Effect.sync(() => ends.set(future.id, (ends.get(future.id) ?? 0) + 1))))
        const cancelled = yield* Effect.forEach(specs, (spec, i) => {
          if (spec.cancel === "no") {
            return Effect.succeed(false)
          }
          const wait = spec.cancel === "at once" || i === 0 ? Effect.void : futures[i - 1]!.await
          return Effect.andThen(wait, futures[i]!.cancel)
        })
        const exits = yield* Effect.forEach(futures, (future) =>
          future.await)
        exits.forEach((exit, i) => {
          const { n } = specs[i]!
          const expected = cancelled[i] ? "FutureCancelled" : n % 2 === 0 ? "success" : "Odd"
          assert.strictEqual(how(exit), expected, `call ${i}: half(${n})`)
          if (expected === "success") assert.strictEqual((exit as Exit.Success<number, never>).value, n / 2)
        })
        assert.deepStrictEqual(futures.map((future) => ends.get(future.id)), futures.map(() => 1))
        assert.strictEqual(yield* pool.running, 0)
        assert.strictEqual(yield* pool.pending, 0)
      }),
    { arbitrary: { runs: 40 } }
  )

  it.live.prop(
    "an interrupted map leaves nothing behind: no call waits or runs once the interruption returns",
    [Gen.integer({ min: 1, max: 300 }), Gen.integer({ min: 0, max: 20 })],
    ([count, yields]) =>
      Effect.gen(function*() {
        const pool = yield* Shared
        const fiber = yield* Effect.forkChild(pool.map(Array.from({ length: count }, (_, i) => i * 2), (n) => half(n)))
        for (let i = 0; i < yields; i++) yield* Effect.yieldNow
        yield* Fiber.interrupt(fiber)
        assert.strictEqual(yield* pool.running, 0)
        assert.strictEqual(yield* pool.pending, 0)
        assert.deepStrictEqual(yield* pool.map([2, 4], (n) => half(n)), [1, 2])
      }),
    { arbitrary: { runs: 30 } }
  )

  it.live("an effect's interruption cancels the calls it is waiting for", () => {
    const handshake = cells()
    return Effect.gen(function*() {
      const pool = yield* Shared
      const future = yield* pool.submit(Effect.map(hold(handshake), (threadId) => threadId))
      yield* started(handshake)
      assert.isTrue(yield* future.cancel)
      assert.strictEqual(how(yield* future.await), "FutureCancelled")
      // the worker that ran `hold` was terminated and replaced: the pool serves again
      assert.deepStrictEqual(yield* pool.map([2, 4], (n) => half(n)), [1, 2])
    }).pipe(Effect.ensuring(release(handshake)))
  })
})

describe("WorkerPool: a cancel that ends a worker", { timeout: 60_000, concurrent: false }, () => {
  const One = sharedPool(1)

  // The cancelled call ends just as its cancel finds it running, so the worker is terminated
  // while it could go on to the next call. Before the fix about 1 round in 12 ended that next
  // call WorkerCrashed (the worker had started it when the terminate landed): this test failed
  // in 3 runs of 3 with 40 rounds; the property test above hit it once under load.
  it.live("the calls a worker holds when a cancel ends it are not lost: each runs once elsewhere", () =>
    Effect.gen(function*() {
      const pool = yield* One
      const outcomes: Array<string> = []
      for (let round = 0; round < 24; round++) {
        const first = cells()
        const second = cells()
        const cancelled = yield* pool.submit(hold(first))
        const next = yield* pool.submit(hold(second))
        yield* started(first)
        const wasCancelled = yield* Effect.andThen(release(first), cancelled.cancel)
        yield* release(second)
        const ended = how(yield* cancelled.await)
        outcomes.push(`${wasCancelled ? "cancelled" : "completed"} ${ended}, next ${how(yield* next.await)}`)
      }
      const expected = outcomes.map((line) =>
        line.startsWith("cancelled") ? "cancelled FutureCancelled, next success" : "completed success, next success"
      )
      assert.deepStrictEqual(outcomes, expected)
      assert.strictEqual(yield* pool.running, 0)
      assert.deepStrictEqual(yield* pool.map([2, 4], (n) => half(n)), [1, 2])
    }))
})
