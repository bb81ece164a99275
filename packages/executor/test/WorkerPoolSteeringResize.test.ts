import { assert, describe, it } from "@effect/vitest"
import * as Recorder from "@fiberkit/sync/Recorder"
import { Effect, Exit, Fiber } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, isInterrupted, release, started } from "./fixtures/handshake.js"
import { eventually, load, logCells, logged, tasks, threadsAlive, within } from "./fixtures/steering.js"
import { admitFirst, half, hold, log, stall, touch, whoAmI } from "./fixtures/tasks.js"

/** A pool of two workers, both running `hold`: on `a` and on `b`. */
const twoBusy = (a: Int32Array, b: Int32Array) =>
  Effect.gen(function*() {
    const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2 })
    const running = [yield* pool.submit(hold(a)), yield* pool.submit(hold(b))] as const
    yield* within("a started", started(a))
    yield* within("b started", started(b))
    return { pool, running }
  })

const threadCount = (pool: WorkerPool.WorkerPool<unknown>, n: number) =>
  eventually(`${n} threads`, Effect.map(pool.threadCount, (count) => count === n))

/** A pool of one worker whose initializer waits on `gate`: open for the first worker, closed after. */
const gated = (gate: Int32Array) =>
  Effect.gen(function*() {
    Atomics.store(gate, 1, 1)
    const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, initializer: hold(gate) })
    // closed: the workers a grow starts wait in their initializer until the test opens it
    Atomics.store(gate, 0, 0)
    Atomics.store(gate, 1, 0)
    return pool
  })

// Real threads answer in real time: these tests run live, one after another, each on its own pool.
describe("WorkerPool.resize", { timeout: 60_000, concurrent: false }, () => {
  it.live("a grow starts the new workers and the waiting calls start on them at once", () => {
    const [a, b, c] = [cells(), cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
        const first = yield* pool.submit(hold(a))
        yield* within("a started", started(a))
        // b is held by the busy worker, c waits in line
        const rest = [yield* pool.submit(hold(b)), yield* pool.submit(hold(c))]
        yield* Effect.sleep("10 millis")
        assert.deepStrictEqual(yield* load(pool), [1, 2])
        yield* pool.resize(3)
        assert.strictEqual(pool.concurrency, 3)
        assert.strictEqual(yield* pool.threadCount, 3)
        // both start while a still runs
        yield* within("b started", started(b))
        yield* within("c started", started(c))
        assert.isTrue(yield* first.isRunning)
        assert.deepStrictEqual(yield* load(pool), [3, 0])
        yield* Effect.forEach([a, b, c], release)
        const threads = yield* Effect.forEach([first, ...rest], (future) => future.result)
        assert.strictEqual(new Set(threads).size, 3, "three threads ran them")
      }).pipe(Effect.ensuring(Effect.forEach([a, b, c], release)))
    )
  })

  it.live("a shrink interrupts nothing: the surplus retires after its call, and no call starts until it has", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b)
        yield* pool.resize(1)
        assert.strictEqual(pool.concurrency, 1)
        assert.strictEqual(yield* pool.threadCount, 2)
        const order = logCells()
        const later = yield* pool.submit(log({ cells: order, tag: 1 }))
        yield* Effect.sleep("30 millis")
        assert.deepStrictEqual(logged(order), [], "nothing starts while two run")
        yield* release(a)
        const first = yield* running[0]!.result
        yield* threadCount(pool, 1)
        yield* Effect.sleep("30 millis")
        assert.deepStrictEqual(logged(order), [], "nothing starts while one runs")
        yield* release(b)
        const second = yield* running[1]!.result
        yield* later.result
        assert.deepStrictEqual(logged(order), [1])
        assert.notStrictEqual(first, second)
        // one thread serves from now on
        const where = yield* pool.map([1, 2, 3, 4], () => hold(cells().fill(1)))
        assert.strictEqual(new Set(where).size, 1)
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  it.live("a call sent to a worker and not started when a shrink returns is the one it runs: it starts there", () => {
    const [a, s] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2 })
        const running = yield* pool.submit(hold(a))
        yield* within("a started", started(a))
        // the other worker answers, then its thread blocks: the pool sees it idle
        yield* (yield* pool.submit(stall(s))).result
        yield* within("the other worker stalled", started(s))
        const order = logCells()
        const next = yield* pool.submit(log({ cells: order, tag: 1 }))
        // sent to the idle worker, which has not read it: it runs there, as the pool counts it
        yield* eventually("sent", Effect.map(load(pool), ([running, pending]) => running === 2 && pending === 0))
        yield* pool.resize(1)
        const later = yield* pool.submit(log({ cells: order, tag: 2 }))
        assert.deepStrictEqual(yield* load(pool), [2, 1])
        yield* release(s)
        yield* next.result
        yield* threadCount(pool, 1)
        yield* Effect.sleep("30 millis")
        assert.deepStrictEqual(logged(order), [1], "the call after the shrink waits while a runs")
        assert.isTrue(yield* running.isRunning)
        yield* release(a)
        yield* later.result
        assert.deepStrictEqual(logged(order), [1, 2])
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(s))))
    )
  })

  it.live("a shrink takes back the calls workers hold behind the one they run", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b)
        const order = logCells()
        const held = [
          yield* pool.submit(log({ cells: order, tag: 1 })),
          yield* pool.submit(log({ cells: order, tag: 2 }))
        ]
        yield* Effect.sleep("10 millis") // one held by each busy worker
        yield* pool.resize(1)
        yield* release(a)
        yield* running[0]!.result
        yield* Effect.sleep("30 millis")
        assert.deepStrictEqual(logged(order), [], "the held calls did not start on the worker that was freed")
        yield* release(b)
        for (const future of [running[1]!, ...held]) yield* future.result
        assert.deepStrictEqual(logged(order), [1, 2])
        yield* threadCount(pool, 1)
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  it.live("a grow whose worker cannot start fails WorkerSpawnFailed; the pool keeps its old size, nothing leaks", () => {
    const gate = cells()
    let impl: WorkerPool.WorkerPool | undefined = undefined
    return Effect.gen(function*() {
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({
          module: tasks,
          concurrency: 1,
          initializer: admitFirst({ cells: gate, workers: 2 })
        })
        impl = pool
        const error = yield* Effect.flip(pool.resize(3))
        assert.strictEqual(error._tag, "WorkerSpawnFailed")
        assert.include(error._tag === "WorkerSpawnFailed" ? error.reason : "", "no more workers")
        assert.strictEqual(pool.concurrency, 1)
        yield* threadCount(pool, 1)
        yield* eventually("the new worker that started has ended", Effect.sync(() => threadsAlive(pool) === 1))
        assert.deepStrictEqual(yield* pool.map([2, 4, 6], (n) => half(n)), [1, 2, 3])
        assert.strictEqual(Atomics.load(gate, 0), 3, "three workers tried to start")
      }))
      assert.strictEqual(yield* impl!.threadCount, 0)
      assert.strictEqual(threadsAlive(impl!), 0)
    })
  })

  it.live("interrupting a submit waiting for room while the pool grows loses nothing", () => {
    const [a, b] = [cells(), cells()]
    const proof = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 0 })
        const first = yield* pool.submit(hold(a))
        yield* within("a started", started(a))
        const waiting = yield* Effect.forkChild(pool.submit(hold(b)))
        const quitter = yield* Effect.forkChild(pool.submit(touch({ cells: proof, index: 0 })))
        yield* Effect.sleep("10 millis")
        assert.isUndefined(waiting.pollUnsafe())
        const resizer = yield* Effect.forkChild(pool.resize(2))
        yield* Fiber.interrupt(quitter)
        yield* Fiber.join(resizer)
        // the waiting call goes to the new worker while a still runs
        const second = yield* within("the waiting submit", Fiber.join(waiting))
        yield* within("b started", started(b))
        yield* Effect.forEach([a, b], release)
        yield* first.result
        yield* second.result
        yield* pool.awaitIdle
        assert.deepStrictEqual(yield* load(pool), [0, 0])
        assert.strictEqual(Atomics.load(proof, 0), 0, "the interrupted submit's call never ran")
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  it.live("resizes run one at a time; a bad size fails InvalidOptions; a closed pool resizes nothing", () =>
    Effect.gen(function*() {
      const pool = yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
        for (const size of [0, -1, 1.5, Number.NaN, 1025, Number.POSITIVE_INFINITY, 1e9]) {
          const error = yield* Effect.flip(pool.resize(size))
          assert.deepStrictEqual(
            error._tag === "InvalidOptions" ? [error.operation, error.field, error.expected] : [],
            ["WorkerPool.resize", "concurrency", "an integer from 1 to 1024"]
          )
        }
        assert.strictEqual(pool.concurrency, 1, "a bad size changes nothing")
        // a grow and a shrink at once: they run one at a time, in the order asked
        const [grow, shrink] = [yield* Effect.forkChild(pool.resize(3)), yield* Effect.forkChild(pool.resize(2))]
        yield* Fiber.join(grow)
        yield* Fiber.join(shrink)
        assert.strictEqual(pool.concurrency, 2)
        yield* threadCount(pool, 2)
        assert.deepStrictEqual(yield* pool.map([2, 4], (n) => half(n)), [1, 2])
        return pool
      }))
      assert.strictEqual(yield* pool.threadCount, 0)
      assert.isTrue(Exit.isSuccess(yield* Effect.exit(pool.resize(4))))
      assert.strictEqual(yield* pool.threadCount, 0)
      assert.strictEqual(threadsAlive(pool), 0)
      assert.strictEqual(how(yield* Effect.exit(pool.submit(half(2)))), "PoolShutDown")
    }))

  it.effect("make refuses a size past 1,024 threads (InvalidOptions), before any thread starts", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(WorkerPool.make({ module: tasks, concurrency: 1025 })))
      assert.deepStrictEqual(
        error._tag === "InvalidOptions" ? [error.operation, error.field, error.value] : [],
        ["WorkerPool.make", "concurrency", 1025]
      )
    }))

  // threadCount counted the workers a grow was still starting.
  it.live("threadCount is below concurrency while a grow starts its workers", () => {
    const gate = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* gated(gate)
        const grow = yield* Effect.forkChild(pool.resize(2))
        yield* within("the new worker runs its initializer", started(gate))
        assert.strictEqual(pool.concurrency, 2)
        assert.isUndefined(grow.pollUnsafe(), "the grow waits for the new worker")
        const count = yield* pool.threadCount
        yield* release(gate)
        yield* Fiber.join(grow)
        assert.isBelow(count, 2, "threadCount while the grow's worker was still starting")
        assert.strictEqual(yield* pool.threadCount, 2, "once it serves")
      }).pipe(Effect.ensuring(release(gate)))
    )
  })

  it.live("an interrupted grow goes back to the old size; its starting workers end", () => {
    const gate = cells()
    let impl: WorkerPool.WorkerPool | undefined = undefined
    return Effect.gen(function*() {
      yield* Effect.scoped(Effect.gen(function*() {
        const pool = yield* gated(gate)
        impl = pool
        const grow = yield* Effect.forkChild(pool.resize(3))
        yield* within("a new worker runs its initializer", started(gate))
        yield* Fiber.interrupt(grow)
        assert.isTrue(isInterrupted(yield* Fiber.await(grow)))
        yield* release(gate) // the stopped workers finish their initializer and close
        assert.strictEqual(pool.concurrency, 1)
        yield* eventually("one thread", Effect.map(pool.threadCount, (n) => n === 1))
        assert.deepStrictEqual(yield* pool.map([2, 4, 6], (n) => half(n)), [1, 2, 3])
        yield* eventually("the starting workers have ended", Effect.sync(() => threadsAlive(pool) === 1))
      }))
      assert.strictEqual(yield* impl!.threadCount, 0)
      assert.strictEqual(threadsAlive(impl!), 0)
    }).pipe(Effect.ensuring(release(gate)))
  })

  // After a shrink retired worker 0, the replacement of worker 2 took the lowest free lane (0).
  it.live("after a shrink, a replacement worker takes its predecessor's Timeline lane", () => {
    const gates = [cells(), cells(), cells()] as const
    const records: Array<Recorder.TaskRecord> = []
    const recorder: Recorder.Recorder = { now: () => performance.now(), record: (record) => records.push(record) }
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* Effect.provideService(
          WorkerPool.make({ module: tasks, concurrency: 3 }),
          Recorder.currentRecorder,
          recorder
        )
        // one call each, in slot order (each to the least loaded worker)
        const holds = yield* Effect.forEach(gates, (gate) => pool.submit(hold(gate)))
        for (const gate of gates) yield* within("hold started", started(gate))
        yield* release(gates[0])
        yield* holds[0]!.result
        yield* pool.resize(2) // worker 0, idle, retires; 1 and 2 stay
        yield* threadCount(pool, 2)
        assert.isTrue(yield* holds[2]!.cancel) // worker 2 is terminated and replaced
        yield* threadCount(pool, 2)
        yield* (yield* pool.submit(whoAmI())).result // on the replacement: worker 1 still holds its call
        const lanes = records.map((record) => `${record.label.replace(/#\d+$/, "")} ${record.lane}`)
        assert.deepStrictEqual(lanes, ["hold worker 0", "hold worker 2", "whoAmI worker 2"])
      }).pipe(Effect.ensuring(Effect.forEach(gates, release)))
    )
  })
})
