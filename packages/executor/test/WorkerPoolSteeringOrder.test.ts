/**
 * WorkerPool: the order in which calls start across several workers, when a worker becomes free
 * while the others are busy on long calls (`hold`, released by the test).
 *
 * With priorities, no call is sent ahead of a worker's replies: a worker that becomes free starts
 * the best of all the calls not started. Without priorities, calls are sent ahead; the calls held
 * behind a long call are taken back for a free worker before later calls start there.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import type * as Future from "../src/Future.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { logCells, logged, tasks, within } from "./fixtures/steering.js"
import { half, hold, log } from "./fixtures/tasks.js"

/** The calls of the worker a future's call was sent to (its `HeldCalls`), or undefined. */
const holder = (future: Future.Future<unknown, unknown>) => (future as unknown as CallJob).sent?.held

/**
 * The two busy workers as `{ freed, freedTask }`: the one that does not hold `call` (sent ahead,
 * not started), which the test releases.
 */
const split = (
  running: readonly [Future.Future<unknown, unknown>, Future.Future<unknown, unknown>],
  gates: readonly [Int32Array, Int32Array],
  call: Future.Future<unknown, unknown>
) => {
  const at = holder(running[0]) === holder(call) ? 0 : 1
  assert.strictEqual(holder(running[at]), holder(call), "the call is held by a busy worker")
  return { freed: gates[1 - at]!, freedTask: running[1 - at]! }
}

/** A pool of two workers, both running `hold`: one on `a`, the other on `b`. */
const twoBusy = (a: Int32Array, b: Int32Array, warm: boolean) =>
  Effect.gen(function*() {
    const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2 })
    // short calls first, until each worker has measured them and would be sent many calls ahead
    const threads = (pool as unknown as { workers: { threads: Array<{ depth(): number }> } }).workers.threads
    for (let round = 0; warm && threads.some((thread) => thread.depth() < 8); round++) {
      assert.isBelow(round, 50, "the workers never measured short calls")
      yield* pool.map(Array.from({ length: 500 }, (_, i) => 2 * i), (n) => half(n))
    }
    yield* Effect.sleep("20 millis") // the replies of calls stolen back during the warm-up have come
    const first = yield* pool.submit(hold(a))
    yield* within("a started", started(a))
    const second = yield* pool.submit(hold(b))
    yield* within("b started", started(b))
    return { pool, running: [first, second] as const }
  })

/** Submits `log` calls tagged `tags`, each at `priority(tag)` (none when undefined), in one step. */
const submitAll = (
  pool: WorkerPool.WorkerPool,
  order: Int32Array,
  tags: ReadonlyArray<number>,
  priority: (tag: number) => number | undefined
) =>
  Effect.forEach(tags, (tag) => {
    const p = priority(tag)
    return pool.submit(log({ cells: order, tag }), p === undefined ? undefined : { priority: p })
  })

describe("WorkerPool: start order across workers", { timeout: 60_000, concurrent: false }, () => {
  // Before: 4 was sent ahead to one busy worker, 3 to the other; freed, that one ran 3, 2, 1 while
  // 4 waited behind the long call (only calls ranked after the line's first were taken back).
  it.live("with priorities, a worker that becomes free runs the highest waiting call: none is sent ahead", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, false)
        const order = logCells()
        const futures = yield* submitAll(pool, order, [4, 3, 2, 1], (tag) => tag)
        yield* Effect.sleep("10 millis")
        for (const future of futures) assert.isUndefined(holder(future), "no call waits on a busy worker")
        assert.strictEqual(yield* pool.pending, 4)
        yield* release(a)
        yield* running[0].result
        yield* within("the lowest call", futures[3]!.result)
        assert.deepStrictEqual(logged(order), [4, 3, 2, 1])
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  // Before: the steals took the back half (the lowest) of what the busy worker held: 5,3,1,4,2,6.
  it.live("with priorities, workers measured on short calls still hold none ahead: the freed one runs them all by priority", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, true)
        const order = logCells()
        const futures = yield* submitAll(pool, order, [6, 5, 4, 3, 2, 1], (tag) => tag)
        yield* Effect.sleep("10 millis")
        for (const future of futures) assert.isUndefined(holder(future), "no call waits on a busy worker")
        yield* release(b)
        yield* running[1].result
        for (const future of futures) yield* within("every call, on the freed worker", future.result)
        const ran = logged(order)
        assert.isBelow(ran.indexOf(6), ran.indexOf(4), `ran: ${ran.join(",")}`)
        assert.deepStrictEqual(ran, [6, 5, 4, 3, 2, 1])
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  // Before: 3 and 4 started on the freed worker while 1 waited behind the long call: [2, 3, 4].
  it.live("equal priorities in submission order: a call held by a busy worker is not passed by later ones", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, false)
        const order = logCells()
        const futures = yield* submitAll(pool, order, [1, 2, 3, 4], () => undefined)
        yield* Effect.sleep("10 millis")
        const { freed, freedTask } = split(running, [a, b], futures[0]!)
        yield* release(freed)
        yield* freedTask.result
        yield* within("the last call", futures[3]!.result)
        // 2 was sent ahead to the freed worker: it starts there first; 1 is taken back from the busy one
        assert.deepStrictEqual(logged(order), [2, 1, 3, 4], "1 waits behind a long call while 3 and 4 start")
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  it.live("without priorities, the calls held behind a long call are taken back oldest first", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, true)
        const order = logCells()
        // one at a time to the least loaded worker: one holds 1, 3, 5, the other 2, 4, 6
        const futures = yield* submitAll(pool, order, [1, 2, 3, 4, 5, 6], () => undefined)
        yield* Effect.sleep("10 millis")
        const { freed, freedTask } = split(running, [a, b], futures[0]!)
        assert.strictEqual(holder(futures[0]!)!.waiting, 3, "three calls behind the long one")
        yield* release(freed)
        yield* freedTask.result
        for (const future of futures) yield* within("every call, on the freed worker", future.result)
        const ran = logged(order)
        assert.deepStrictEqual(
          [ran.indexOf(1) < ran.indexOf(3), ran.indexOf(3) < ran.indexOf(5)],
          [true, true],
          ran.join()
        )
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })
})
