/**
 * WorkerPool's waits interrupted at every op, and its graceful shutdown with a map still running.
 * Each sweep runs the same step with `maxOpsBeforeYield` k = 10, 11, … so that the interruption
 * lands before another op each time (the way `Future.test.ts` sweeps a cancel).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Scheduler } from "effect"
import { PoolShutDown } from "../src/Errors.js"
import { mapWindow } from "../src/internal/mapWindow.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, release, started } from "./fixtures/handshake.js"
import { sharedPool } from "./fixtures/sharedPool.js"
import { half, hold, touch } from "./fixtures/tasks.js"

const tasks = new URL("./fixtures/tasks.js", import.meta.url)

/** A few ops before the step under test, so that a k of 10 or more can reach every op of it. */
const pad = Effect.forEach(Array.from({ length: 8 }), () => Effect.void, { discard: true })

/** Runs `effect` in a fiber that yields every k ops, interrupted after its first run. */
const interruptedAfter = <A, E>(effect: Effect.Effect<A, E>, k: number) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(
      Effect.provideService(Effect.andThen(pad, effect), Scheduler.MaxOpsBeforeYield, k)
    )
    yield* Effect.yieldNow
    yield* Fiber.interrupt(fiber)
  })

const busy = (pool: WorkerPool.WorkerPool) => Effect.zipWith(pool.running, pool.pending, (r, p) => r + p)

describe("WorkerPool interrupted at every op", { timeout: 60_000, concurrent: false }, () => {
  const Shared = sharedPool(2)

  // A call queued its job in `Effect.callback`'s register function, whose canceller effect 3.22
  // installs one op later: a caller interrupted in between left its call queued, to run for no one.
  it.live("a call whose caller is interrupted at any op is cancelled: it never stays queued", () => {
    const handshake = cells()
    const other = cells()
    const proof = new Int32Array(new SharedArrayBuffer(128 * Int32Array.BYTES_PER_ELEMENT))
    return Effect.gen(function*() {
      const pool = yield* Shared
      // both workers busy: a call that is not cancelled stays queued, and is counted
      const holds = yield* Effect.forEach([handshake, other], (shared) => pool.submit(hold(shared)))
      yield* started(handshake)
      yield* started(other)
      const left: Array<number> = []
      for (let k = 10; k <= 80; k++) {
        const before = yield* busy(pool)
        // a call is routed to the workers from an effect the pool runs
        yield* Effect.flatMap(pool.submit(interruptedAfter(touch({ cells: proof, index: k }), k)), (f) => f.result)
        if ((yield* busy(pool)) !== before) left.push(k)
      }
      yield* Effect.andThen(release(handshake), release(other))
      yield* Effect.forEach(holds, (future) => future.result)
      assert.deepStrictEqual(left, [])
    }).pipe(Effect.ensuring(Effect.andThen(release(handshake), release(other))))
  })

  // `mapWindow` started its first tasks in `Effect.callback`'s register function: a map interrupted
  // before the canceller was installed left them running.
  it.live("a map interrupted at any op has stopped every task it started", () =>
    Effect.gen(function*() {
      const pool = yield* Shared
      const gate = yield* Deferred.make<void>()
      const left: Array<number> = []
      for (let k = 10; k <= 80; k++) {
        const before = yield* busy(pool)
        yield* interruptedAfter(pool.map([0, 1, 2, 3], () => Deferred.await(gate)), k)
        if ((yield* busy(pool)) !== before) left.push(k)
      }
      yield* Deferred.succeed(gate, undefined)
      assert.deepStrictEqual(left, [])
    }))
})

describe("WorkerPool shutdown with a map running", { timeout: 60_000 }, () => {
  // A graceful shutdown waited for the tasks live when it began, then ended the workers: the
  // calls a running map started after that (as its first ones ended) were never run, and the map
  // waited for ever.
  it.live("a graceful shutdown waits for a running map to its end", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1 })
      // more items than the map keeps in flight: it starts most of them while the shutdown waits
      const mapper = yield* Effect.forkChild(pool.map(Array.from({ length: 2000 }, (_, i) => i * 2), (n) => half(n)))
      yield* Effect.sleep("20 millis")
      yield* pool.shutdown({ wait: true })
      const exit = yield* Effect.timeout(Fiber.await(mapper), "20 seconds")
      assert.deepStrictEqual(exit, Exit.succeed(Array.from({ length: 2000 }, (_, i) => i)))
      assert.strictEqual(yield* busy(pool), 0)
      assert.strictEqual(yield* pool.threadCount, 0)
    })))

  // WorkerPool.map checked that the pool was open one op before `mapWindow` started its calls: a
  // shutdown that ended the workers in between left the calls in a line no worker would serve
  // (found with a sweep of the interruption point, at one op of the 50). The check is now made in
  // the step that starts them.
  it.effect("a map that finds its pool closed in the step that would start its tasks starts none", () =>
    Effect.gen(function*() {
      let starts = 0
      const exit = yield* Effect.exit(mapWindow([1, 2, 3], () => Effect.void, {
        window: 2,
        start: () => {
          starts++
          throw new Error("started on a closed pool")
        },
        closed: () => true,
        cancelled: () => false
      }))
      assert.deepStrictEqual(exit, Exit.fail(new PoolShutDown()))
      assert.strictEqual(starts, 0)
    }))
})
