import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Stream } from "effect"
import type { PendingLimitExceeded, PoolShutDown } from "../src/Errors.js"
import type * as Future from "../src/Future.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, release, started } from "./fixtures/handshake.js"
import { eventually, load, logCells, logged, tasks, within } from "./fixtures/steering.js"
import { half, hold, log } from "./fixtures/tasks.js"

/** A pool whose only worker runs `hold` until the returned effect releases it. */
const busy = (pool: WorkerPool.WorkerPool<unknown>) =>
  Effect.gen(function*() {
    const handshake = cells()
    const future = yield* pool.submit(hold(handshake))
    yield* within("hold started", started(handshake))
    return Effect.andThen(release(handshake), future.result)
  })

// Real threads answer in real time: these tests run live, one after another, each on its own pool.
describe("WorkerPool: priorities, bounded submission, draining", { timeout: 60_000, concurrent: false }, () => {
  it.live("calls start by priority, equal ones in submission order — sent together, or one by one to a busy worker", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
      const calls = [[1, 0], [2, 5], [3, 2], [4, 5], [5, 0], [6, -1]] as const
      for (const together of [true, false]) {
        const done = yield* busy(pool)
        const order = logCells()
        const futures = []
        for (const [tag, priority] of calls) {
          futures.push(yield* pool.submit(log({ cells: order, tag }), { priority }))
          // one by one: the call is sent ahead to the busy worker before the next comes, and must
          // give its place back to a later call of higher priority
          if (!together) yield* Effect.sleep("5 millis")
        }
        yield* done
        for (const future of futures) yield* future.result
        assert.deepStrictEqual(logged(order), [2, 4, 3, 1, 5, 6], together ? "sent together" : "one by one")
      }
      const exit = yield* Effect.exit(pool.submit(half(2), { priority: Number.NaN }))
      assert.isTrue(Exit.hasDies(exit))
      assert.include(String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : ""), "WorkerPool.submit: priority")
    })))

  // The held call was taken back at the pool's next dispatch, after the submit's synchronous run: a
  // worker freed in that run (here: the same step) started it first. 2 runs in 3 of the aging test
  // below failed so; the take-back is now made by the submit itself.
  it.live("a call submitted just before the busy worker frees goes before the call it holds", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
      const outcomes: Array<string> = []
      for (let round = 0; round < 10; round++) {
        const done = yield* busy(pool)
        const order = logCells()
        const low = yield* pool.submit(log({ cells: order, tag: 1 }))
        yield* Effect.sleep("5 millis") // sent ahead to the busy worker
        const high = yield* pool.submit(log({ cells: order, tag: 2 }), { priority: 1 })
        yield* done // in the same step: no dispatch in between
        yield* low.result
        yield* high.result
        outcomes.push(logged(order).join(","))
      }
      assert.deepStrictEqual(outcomes, outcomes.map(() => "2,1"))
    })))

  it.live("with aging, a call that has waited longer than its priority gap goes first", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, aging: "1 second" })
      const done = yield* busy(pool)
      const order = logCells()
      const old = yield* pool.submit(log({ cells: order, tag: 1 }))
      yield* Effect.sleep("30 millis")
      // placed 10 ms earlier than submitted: still after the old call; 1 s earlier: before it
      const slightly = yield* pool.submit(log({ cells: order, tag: 2 }), { priority: 0.01 })
      const urgent = yield* pool.submit(log({ cells: order, tag: 3 }), { priority: 1 })
      yield* done
      for (const future of [old, slightly, urgent]) yield* future.result
      assert.deepStrictEqual(logged(order), [3, 1, 2])
      // a priority so large that priority × aging is no number of milliseconds: a defect
      const exit = yield* Effect.exit(pool.submit(half(2), { priority: Number.MAX_VALUE }))
      assert.include(
        String(Exit.isFailure(exit) ? Cause.squash(exit.cause) : ""),
        "WorkerPool.submit: priority × aging"
      )
    })))

  it.live("an effect's priority goes to the calls it makes", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
      const done = yield* busy(pool)
      const order = logCells()
      const plain = yield* pool.submit(log({ cells: order, tag: 1 }))
      yield* Effect.sleep("5 millis")
      // runs on the main thread at once; its call goes before the plain one held by the worker
      const effect = yield* pool.submit(Effect.asVoid(log({ cells: order, tag: 2 })), { priority: 5 })
      yield* Effect.sleep("5 millis")
      yield* done
      yield* plain.result
      yield* effect.result
      assert.deepStrictEqual(logged(order), [2, 1])
    })))

  it.live("maxPending with onFull wait: submit waits for room; an interrupted waiting submit leaves nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1 })
      const done = yield* busy(pool)
      const order = logCells()
      const queued = yield* pool.submit(log({ cells: order, tag: 1 }))
      const blocked = yield* Effect.forkChild(pool.submit(log({ cells: order, tag: 2 })))
      const quitter = yield* Effect.forkChild(pool.submit(log({ cells: order, tag: 3 })))
      yield* Effect.sleep("20 millis")
      assert.isUndefined(blocked.pollUnsafe())
      yield* Fiber.interrupt(quitter)
      assert.deepStrictEqual(yield* load(pool), [1, 1])
      yield* done
      const future = yield* within("the blocked submit", Fiber.join(blocked))
      yield* queued.result
      yield* future.result
      yield* pool.awaitIdle
      assert.deepStrictEqual(logged(order), [1, 2])
      assert.deepStrictEqual(yield* load(pool), [0, 0])
    })))

  it.live("maxPending with onFull fail: the submit fails PendingLimitExceeded, nothing queued", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "fail" })
      const done = yield* busy(pool)
      const order = logCells()
      const accepted = yield* pool.submit(log({ cells: order, tag: 1 }))
      const error: PendingLimitExceeded | PoolShutDown = yield* Effect.flip(pool.submit(log({ cells: order, tag: 2 })))
      assert.deepStrictEqual(
        error._tag === "PendingLimitExceeded" ? { ...error } : {},
        { _tag: "PendingLimitExceeded", source: "WorkerPool", maxPending: 1, pending: 1, dropped: false }
      )
      assert.strictEqual(yield* pool.pending, 1)
      yield* done
      yield* accepted.result
      assert.deepStrictEqual(logged(order), [1])
    })))

  it.live("maxPending with onFull dropOldest: the oldest pending call ends with the error, never started — in line or held by the worker", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 2, onFull: "dropOldest" })
      for (const spaced of [false, true]) {
        const done = yield* busy(pool)
        const order = logCells()
        const futures = []
        for (const tag of [1, 2, 3]) {
          futures.push(yield* pool.submit(log({ cells: order, tag })))
          // spaced: the first call is sent ahead to the busy worker, and taken back from it
          if (spaced) yield* Effect.sleep("5 millis")
        }
        const dropped = yield* Effect.flip(futures[0]!.result)
        assert.isTrue(dropped._tag === "PendingLimitExceeded" && dropped.dropped)
        assert.strictEqual(yield* pool.pending, 2)
        yield* done
        yield* futures[1]!.result
        yield* futures[2]!.result
        assert.deepStrictEqual(logged(order), [2, 3], spaced ? "spaced" : "together")
      }
    })))

  it.live("maxPending 0 with onFull wait: a submit waiting while the only worker is busy runs once it is free", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 0 })
      const done = yield* busy(pool)
      const order = logCells()
      const waiting = yield* Effect.forkChild(pool.submit(log({ cells: order, tag: 1 })))
      yield* Effect.sleep("20 millis")
      assert.isUndefined(waiting.pollUnsafe())
      yield* done
      yield* (yield* within("the waiting submit", Fiber.join(waiting))).result
      assert.deepStrictEqual(logged(order), [1])
    })))

  it.live("maxPending 0 with onFull fail: a call an idle worker takes is accepted; one that would wait is refused", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 0, onFull: "fail" })
      // a worker that has just answered is idle: the next call is no pending one
      assert.strictEqual(yield* (yield* pool.submit(half(2))).result, 1)
      assert.strictEqual(yield* (yield* pool.submit(half(4))).result, 2)
      // in one step: two idle workers take two calls; the third would wait
      const exits = yield* Effect.forEach([6, 8, 10], (n) => Effect.exit(pool.submit(half(n))))
      assert.deepStrictEqual(exits.map(how), ["success", "success", "PendingLimitExceeded"])
      for (const exit of exits.slice(0, 2)) if (Exit.isSuccess(exit)) yield* exit.value.result
      // dropOldest with nothing to drop refuses the newcomer the same way
      const dropper = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 0, onFull: "dropOldest" })
      const done = yield* busy(dropper)
      const refused = yield* Effect.flip(dropper.submit(half(2)))
      assert.isTrue(refused._tag === "PendingLimitExceeded" && !refused.dropped)
      yield* done
    })))

  // Calls idle workers take at the next dispatch were counted as waiting until then: a burst on
  // idle workers was refused idle-workers calls early (found by the load-shedding benchmark: 100
  // accepted with maxPending 100 on 2 threads, piscina 102).
  it.live("a burst on idle workers: the calls they take at once and maxPending more are accepted", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2, maxPending: 3, onFull: "fail" })
      const exits = yield* Effect.forEach([2, 4, 6, 8, 10, 12], (n) => Effect.exit(pool.submit(half(n))))
      const pending = yield* pool.pending
      assert.deepStrictEqual(exits.map(how), [
        "success",
        "success",
        "success",
        "success",
        "success",
        "PendingLimitExceeded"
      ])
      assert.strictEqual(pending, 3, "the two calls idle workers take are not waiting")
      for (const exit of exits) if (Exit.isSuccess(exit)) yield* exit.value.result
    })))

  // dropOldest dropped any call in line, the one an idle worker would take at the next dispatch
  // included: with maxPending 0 the first call of a burst was dropped and the second ran; with
  // maxPending 1, 1 was dropped instead of 2.
  it.live("dropOldest with maxPending 0: a call the idle worker takes at once is not dropped by the next submit", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 0, onFull: "dropOldest" })
      const order = logCells()
      // in one step, on the idle worker: the first is taken at once, the second would wait
      const first = yield* pool.submit(log({ cells: order, tag: 1 }))
      assert.strictEqual(yield* pool.pending, 0, "the first call is not waiting")
      const second = yield* Effect.exit(pool.submit(log({ cells: order, tag: 2 })))
      const firstExit = yield* first.await
      if (Exit.isSuccess(second)) yield* Effect.exit(second.value.await)
      yield* pool.awaitIdle
      assert.deepStrictEqual([how(firstExit), how(second), logged(order)], ["success", "PendingLimitExceeded", [1]])
    })))

  it.live("dropOldest with maxPending 1: the call dropped is the one waiting, not the one the idle worker takes", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const order = logCells()
      // 1 holds the worker until released: with a call that ends at once, the worker could finish it
      // and start 2 before 3 comes, and then 2 is not waiting (next test)
      const handshake = cells()
      const futures: Array<Future.Future<unknown, unknown>> = [yield* pool.submit(hold(handshake))]
      for (const tag of [2, 3]) futures.push(yield* pool.submit(log({ cells: order, tag })))
      yield* within("hold started", started(handshake))
      yield* release(handshake)
      const exits = []
      for (const future of futures) exits.push(how(yield* future.await))
      // 1 starts at once on the idle worker, 2 waits, 3 comes to a full line: 2 is the oldest waiting
      assert.deepStrictEqual([exits, logged(order)], [["success", "PendingLimitExceeded", "success"], [3]])
    })))

  // Seen in CI: the worker finished 1 and started 2 (sent ahead) before the pool heard 1's reply;
  // 2 was still counted as waiting, could not be taken back, and dropOldest refused 3 instead.
  it.live("dropOldest admits the newcomer when the call counted as waiting has already started", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const first = cells()
      const second = cells()
      const futures: Array<Future.Future<unknown, unknown>> = [yield* pool.submit(hold(first))]
      yield* within("first started", started(first))
      futures.push(yield* pool.submit(hold(second)))
      yield* Effect.sleep("5 millis") // sent ahead to the busy worker
      // release 1 and wait until 2 runs, without letting the pool hear 1's reply
      const startedUnheard = yield* Effect.sync(() => {
        Atomics.store(first, 1, 1)
        const deadline = Date.now() + 10_000
        while (Atomics.load(second, 0) === 0) if (Date.now() > deadline) return false
        return true
      })
      assert.isTrue(startedUnheard, "the second call started")
      const order = logCells()
      futures.push(yield* pool.submit(log({ cells: order, tag: 3 })))
      yield* release(second)
      const exits = []
      for (const future of futures) exits.push(how(yield* future.await))
      assert.deepStrictEqual([exits, logged(order)], [["success", "success", "success"], [3]])
    })))

  it.live("the bound counts main-thread effects and calls together", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "fail" })
      const done = yield* busy(pool)
      const gate = yield* Deferred.make<void>()
      const effects = [yield* pool.submit(Deferred.await(gate)), yield* pool.submit(Deferred.await(gate))]
      // one effect runs, one waits: the line is full for calls too
      assert.deepStrictEqual(yield* load(pool), [2, 1])
      const refused = yield* Effect.flip(pool.submit(half(2)))
      assert.strictEqual(refused._tag, "PendingLimitExceeded")
      yield* Deferred.succeed(gate, undefined)
      for (const future of effects) yield* future.result
      yield* done
    })))

  it.live("dropOldest never drops a map's or a mapStream's calls; they are not bounded", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "dropOldest" })
      const done = yield* busy(pool)
      const mapped = yield* Effect.forkChild(pool.map([2, 4, 6, 8], (n) => half(n)))
      const streamed = yield* Effect.forkChild(Stream.runCollect(pool.mapStream(Stream.make(10, 12), (n) => half(n))))
      yield* Effect.sleep("10 millis")
      const order = logCells()
      const first = yield* pool.submit(log({ cells: order, tag: 1 }))
      const second = yield* pool.submit(log({ cells: order, tag: 2 }))
      assert.strictEqual(how(yield* first.await), "PendingLimitExceeded")
      yield* done
      assert.deepStrictEqual(yield* within("map", Fiber.join(mapped)), [1, 2, 3, 4])
      assert.deepStrictEqual(yield* within("mapStream", Fiber.join(streamed)), [5, 6])
      yield* second.result
      assert.deepStrictEqual(logged(order), [2])
    })))

  it.live("awaitSizeBelow wakes as calls start or are cancelled; awaitIdle once all have ended", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
      yield* pool.awaitIdle
      const done = yield* busy(pool)
      const order = logCells()
      const a = yield* pool.submit(log({ cells: order, tag: 1 }))
      const b = yield* pool.submit(log({ cells: order, tag: 2 }))
      yield* eventually("two pending", Effect.map(pool.pending, (n) => n === 2))
      const belowTwo = yield* Effect.forkChild(pool.awaitSizeBelow(2))
      const idle = yield* Effect.forkChild(pool.awaitIdle)
      yield* Effect.sleep("10 millis")
      assert.isUndefined(belowTwo.pollUnsafe())
      assert.isTrue(yield* b.cancel)
      yield* within("awaitSizeBelow(2)", Fiber.join(belowTwo))
      assert.isUndefined(idle.pollUnsafe())
      yield* done
      yield* a.result
      yield* within("awaitIdle", Fiber.join(idle))
      assert.deepStrictEqual(logged(order), [1])
      for (const size of [0, 1.5, Number.NaN]) {
        assert.isTrue(Exit.hasDies(yield* Effect.exit(pool.awaitSizeBelow(size))), `awaitSizeBelow(${size})`)
      }
    })))

  it.live("a shutdown wakes submitters waiting for room: they fail PoolShutDown", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 0 })
      const done = yield* busy(pool)
      const waiting = yield* Effect.forkChild(pool.submit(half(2)))
      yield* Effect.sleep("10 millis")
      yield* pool.shutdown({ wait: false })
      assert.strictEqual((yield* Effect.flip(within("the waiting submit", Fiber.join(waiting))))._tag, "PoolShutDown")
      yield* done
    })))

  it.effect("bad steering options fail InvalidOptions naming WorkerPool.make, before any thread starts", () =>
    Effect.gen(function*() {
      const all: Array<WorkerPool.WorkerPool.Options> = [
        { module: tasks, maxPending: -1 },
        { module: tasks, maxPending: 1.5 },
        { module: tasks, onFull: "later" as never },
        { module: tasks, aging: "0 millis" }
      ]
      const errors = yield* Effect.forEach(all, (options) => Effect.flip(Effect.scoped(WorkerPool.make(options))))
      assert.deepStrictEqual(
        errors.map((e) => e._tag === "InvalidOptions" ? `${e.operation} ${e.field}` : e._tag),
        ["WorkerPool.make maxPending", "WorkerPool.make maxPending", "WorkerPool.make onFull", "WorkerPool.make aging"]
      )
    }))

  it.effect("the pool's type says when submits and futures may fail PendingLimitExceeded", () =>
    Effect.sync(() => {
      type Made<X> = Effect.Effect<WorkerPool.WorkerPool<X>, unknown, unknown>
      // made, never run: only their types are checked
      const waits: Made<never> = WorkerPool.make({ module: tasks, maxPending: 1 })
      const fails: Made<PendingLimitExceeded> = WorkerPool.make({ module: tasks, maxPending: 1, onFull: "fail" })
      // @ts-expect-error: a pool made with onFull "dropOldest" may fail its futures with PendingLimitExceeded
      const drops: Made<never> = WorkerPool.make({ module: tasks, maxPending: 1, onFull: "dropOldest" })
      const submits = (plain: WorkerPool.WorkerPool, failing: WorkerPool.WorkerPool<PendingLimitExceeded>) => {
        const accepted: Effect.Effect<unknown, PoolShutDown> = plain.submit(half(2))
        // @ts-expect-error: a pool made with onFull "fail" may refuse the submit
        const refused: Effect.Effect<unknown, PoolShutDown> = failing.submit(half(2))
        return [accepted, refused]
      }
      assert.lengthOf([waits, fails, drops, submits], 4)
    }))
})
