/**
 * Review of the WorkerPool steering (branch workerpool-steering): priorities across workers.
 *
 * README, "Steering a WorkerPool": "Priorities — submit(callOrEffect, { priority }): higher first,
 * equal priorities in submission order". A call sent ahead to a busy worker keeps its place there
 * while a lower-priority call starts on another worker that has become free: the line's calls, or
 * the calls `steal` takes back (the back half of what the busy worker holds), go first.
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
 * The two busy workers as `[busy, freed]`: `busy` holds `call` (sent ahead, not started) and stays
 * busy; `freed` is the other one, which the test releases.
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

/** A pool of two workers, both running `hold`: slot 0 on `a`, slot 1 on `b`. */
const twoBusy = (a: Int32Array, b: Int32Array, warm: boolean) =>
  Effect.gen(function*() {
    const pool = yield* WorkerPool.make({ module: tasks, concurrency: 2 })
    // short calls first, until each worker has measured them and is sent many calls ahead
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

describe("review: WorkerPool priorities across workers", { timeout: 60_000, concurrent: false }, () => {
  it.live("a worker that becomes free runs the highest-priority waiting call, not a lower one from the line", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, false)
        const order = logCells()
        // sent together: 4 goes ahead to one busy worker, 3 to the other, 2 and 1 wait in line
        const futures = []
        for (const priority of [4, 3, 2, 1]) {
          futures.push(yield* pool.submit(log({ cells: order, tag: priority }), { priority }))
        }
        yield* Effect.sleep("10 millis")
        const { freed, freedTask } = split(running, [a, b], futures[0]!)
        // the other worker is free: the highest waiting call is 4 (not started: its worker still runs)
        yield* release(freed)
        yield* freedTask.result
        yield* within("the lowest call", futures[3]!.result)
        assert.deepStrictEqual(
          logged(order),
          [3, 4, 2, 1],
          "4 waits behind a long call while 2 and 1 (lower) start on the free worker"
        )
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  it.live("work stealing takes the highest-priority calls a busy worker holds, not the lowest", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, true)
        const order = logCells()
        // sent together, by priority, one at a time to the least loaded worker: one worker holds
        // 6, 4, 2, the other 5, 3, 1
        const futures = []
        for (const priority of [6, 5, 4, 3, 2, 1]) {
          futures.push(yield* pool.submit(log({ cells: order, tag: priority }), { priority }))
        }
        yield* Effect.sleep("10 millis")
        const { freed, freedTask } = split(running, [a, b], futures[0]!)
        const held = holder(futures[0]!)!
        assert.strictEqual(held.waiting, 3, "the worker holding 6 holds three calls behind its long call")
        // the other worker runs out of work and steals, again and again, from the one holding 6
        yield* release(freed)
        yield* freedTask.result
        for (const future of futures) yield* within("every call, on the freed worker", future.result)
        const ran = logged(order)
        assert.isBelow(
          ran.indexOf(6),
          ran.indexOf(4),
          `ran: ${ran.join(",")} — the steals took 4 and 2 (the back half) first and the highest call (6) last`
        )
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })

  it.live("equal priorities in submission order: a call held by a busy worker is not passed by later ones", () => {
    const [a, b] = [cells(), cells()]
    return Effect.scoped(
      Effect.gen(function*() {
        const { pool, running } = yield* twoBusy(a, b, false)
        const order = logCells()
        const futures = []
        for (const tag of [1, 2, 3, 4]) futures.push(yield* pool.submit(log({ cells: order, tag })))
        yield* Effect.sleep("10 millis")
        const { freed, freedTask } = split(running, [a, b], futures[0]!)
        yield* release(freed)
        yield* freedTask.result
        yield* within("the last call", futures[3]!.result)
        assert.deepStrictEqual(logged(order), [2, 1, 3, 4], "1 waits behind a long call while 3 and 4 start")
      }).pipe(Effect.ensuring(Effect.andThen(release(a), release(b))))
    )
  })
})
